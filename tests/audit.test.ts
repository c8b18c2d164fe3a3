import { describe, expect, it } from "vitest";
import { grantFacilityAccess, revokeFacilityAccess } from "../server/accounts/accounts.service";
import {
  createClient,
  renameClient,
  revokeClient,
  rotateClientToken,
} from "../server/accounts/clients.service";
import { listAuditEntries } from "../server/audit/audit";
import { endOtherSessions, principalFromSession, signIn } from "../server/auth/sessions";
import { rotateSigningKeys } from "../server/crypto/signing-keys";
import { getDb } from "../server/db";
import { AppError } from "../server/errors";
import { adminWithEnv, createTenant } from "./helpers";

const origin = { ip: "203.0.113.7", userAgent: "Firefox/140" };
const entriesOf = async (accountId: string) => (await listAuditEntries({ accountId })).entries;

describe("the audit trail", () => {
  it("records each change to an API client with who, when, from where and what changed", async () => {
    const tenant = await createTenant(1);
    const principal = tenant.userPrincipal;
    const by = { principal, origin };
    const before = Date.now();
    const { clientId } = await createClient({ ownerId: principal.userId, name: "Billing sync", by });
    await renameClient({ manager: principal, clientId, name: "Billing sync v2", origin });
    await rotateClientToken({ manager: principal, clientId, graceHours: 2, origin });
    await revokeClient({ manager: "operator", clientId });

    // Newest first; before these, the tenant's own setup (access granted, its first client).
    const entries = (await entriesOf(principal.userId)).slice(0, 4);
    expect(entries.map((e) => e.action)).toEqual([
      "client.revoked",
      "client.token-rotated",
      "client.renamed",
      "client.created",
    ]);
    const [revoked, rotated, renamed, created] = entries;
    expect(created).toMatchObject({
      actor: tenant.user.email,
      ip: "203.0.113.7",
      userAgent: "Firefox/140",
      target: `API client "Billing sync" (${clientId})`,
    });
    expect(Date.parse(created?.createdAt ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(renamed?.details).toEqual({ from: "Billing sync", to: "Billing sync v2" });
    expect(rotated?.details).toEqual({ previousTokenValidUntil: expect.any(String) });
    expect(revoked).toMatchObject({
      actor: "operator",
      ip: "",
      userAgent: expect.stringMatching(/^admin CLI on /),
    });
  });

  it("records ended sessions and facility access granted and removed, but nothing for a refused change", async () => {
    const tenant = await createTenant(2);
    const [first, second] = tenant.facilityIds as [string, string];
    const other = await signIn({
      email: tenant.user.email,
      password: tenant.password,
      userAgent: "Safari/19",
    });
    const current = await signIn({ email: tenant.user.email, password: tenant.password });
    if (!other.ok || !current.ok) throw new Error("sign-in failed");
    const principal = await principalFromSession(current.token);
    if (!principal) throw new Error("no session");
    expect(await endOtherSessions({ principal, origin })).toBe(1);

    await revokeFacilityAccess({ email: tenant.user.email, facilityId: second });
    await grantFacilityAccess({ email: tenant.user.email, facilityIds: [second] });
    const refusals = [
      renameClient({ manager: tenant.userPrincipal, clientId: tenant.client.clientId, name: " ", origin }),
      revokeFacilityAccess({ email: tenant.user.email, facilityId: "P-nobody-has-this" }),
      grantFacilityAccess({ email: tenant.user.email, facilityIds: [first] }), // already held
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toBeInstanceOf(AppError);

    const entries = await entriesOf(tenant.user.id);
    expect(entries.slice(0, 3).map((e) => [e.action, e.details])).toEqual([
      ["facility-access.granted", { facilities: [second] }],
      ["facility-access.removed", { facilities: [second] }],
      ["session.ended", {}],
    ]);
    expect(entries[2]).toMatchObject({
      actor: tenant.user.email,
      ip: origin.ip,
      target: expect.stringContaining("Safari/19"),
    });
  });

  it("is written in the change's own transaction: a change that fails leaves no entry, and none without its change", async () => {
    const tenant = await createTenant(1);
    // A client id that is not the owner's: refused, nothing changed, nothing recorded.
    const stranger = await createTenant(1);
    await expect(
      revokeClient({ manager: tenant.userPrincipal, clientId: stranger.client.clientId, origin }),
    ).rejects.toBeInstanceOf(AppError);
    expect(await entriesOf(stranger.user.id)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ action: "client.revoked" })]),
    );
    expect(
      (await getDb().apiClient.findUniqueOrThrow({ where: { id: stranger.client.clientId } })).revokedAt,
    ).toBeNull();
    // Every client the trail says was created exists, and every client created is in the trail.
    const clients = await getDb().apiClient.findMany({
      where: { ownerId: tenant.user.id },
      select: { id: true },
    });
    const created = (await entriesOf(tenant.user.id)).filter((e) => e.action === "client.created");
    expect(created.map((e) => e.target.match(/\(([^)]+)\)$/)?.[1]).sort()).toEqual(
      clients.map((c) => c.id).sort(),
    );
  });

  it("pages newest first, filters by action, and shows each account only its own entries", async () => {
    const tenant = await createTenant(1);
    const stranger = await createTenant(1);
    for (let i = 0; i < 5; i++) {
      await renameClient({
        manager: tenant.userPrincipal,
        clientId: tenant.client.clientId,
        name: `name ${i}`,
        origin,
      });
    }
    const first = await listAuditEntries({ accountId: tenant.user.id, action: "client.renamed", limit: 3 });
    expect(first.entries.map((e) => e.details.to)).toEqual(["name 4", "name 3", "name 2"]);
    const rest = await listAuditEntries({
      accountId: tenant.user.id,
      action: "client.renamed",
      limit: 3,
      before: first.next ?? "",
    });
    expect(rest.entries.map((e) => e.details.to)).toEqual(["name 1", "name 0"]);
    expect(rest.next).toBeNull();
    expect((await entriesOf(stranger.user.id)).some((e) => e.action === "client.renamed")).toBe(false);
  });

  it("records key rotations for the platform, and the operator reads the trail with `admin audit list`", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const { kid } = await rotateSigningKeys({ overlapHours: 1 });
    const listed = await adminWithEnv(
      {},
      "audit",
      "list",
      "--since",
      since,
      "--action",
      "signing-keys.rotated",
      "--json",
    );
    expect(listed.code).toBe(0);
    const entries = listed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: "operator",
        action: "signing-keys.rotated",
        target: `Ed25519 signing key ${kid}`,
      }),
    );

    const refused = await adminWithEnv({}, "audit", "list", "--since", "yesterday");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("since must be an ISO 8601 date and time");
    const unknownAction = await adminWithEnv({}, "audit", "list", "--since", since, "--action", "coffee");
    expect(unknownAction.stderr).toContain("action must be one of: client.created");
  });
});
