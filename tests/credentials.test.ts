/**
 * Each credential does one job: a session token is only ever a session, an API token only ever a
 * bearer token, whatever was looked up first; rotation, revocation and disabling stop a token at
 * once in this process.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { disableUser } from "../server/accounts/accounts.service";
import {
  listClients,
  renameClient,
  revokeClient,
  rotateClientToken,
} from "../server/accounts/clients.service";
import { principalFromBearer } from "../server/auth/bearer";
import { principalFromSession, signIn } from "../server/auth/sessions";
import { hashToken } from "../server/auth/tokens";
import { getDb } from "../server/db";
import { createTenant, type Tenant } from "./helpers";

const listOverRest = async (authorization: string) =>
  (
    await collection.GET(
      new Request("http://localhost/api/v2/public/webhooks/facility", { headers: { authorization } }),
      { params: Promise.resolve({}) },
    )
  ).status;

const formOptionsOverTrpc = async (cookie: string) =>
  (
    await trpcRoute.GET(
      new Request("http://localhost/api/trpc/webhooks.formOptions", { headers: { cookie } }),
    )
  ).status;

async function sessionToken(tenant: Tenant) {
  const result = await signIn({ email: tenant.user.email, password: tenant.password });
  if (!result.ok) throw new Error(result.error);
  return result.token;
}

let alice: Tenant;
beforeAll(async () => {
  alice = await createTenant(1);
});

describe("credential kinds stay apart", () => {
  it("a session token that has just made a tRPC call is refused as a bearer token", async () => {
    const token = await sessionToken(alice);
    expect(await formOptionsOverTrpc(`session=${token}`)).toBe(200);
    expect(await listOverRest(`Bearer ${token}`)).toBe(401);
  });

  it("an API token that has just made a REST call is refused as a session cookie", async () => {
    expect(await listOverRest(`Bearer ${alice.client.token}`)).toBe(200);
    expect(await formOptionsOverTrpc(`session=${alice.client.token}`)).toBe(401);
    expect(await principalFromSession(alice.client.token)).toBeNull();
  });

  it("API tokens carry the fwh_ prefix; a token from before the prefix keeps working", async () => {
    expect(alice.client.token).toMatch(/^fwh_[A-Za-z0-9_-]{43}$/);
    const legacy = "Lq7cYqkKd2m0q3sA9Xw1bT5n8Rr4uVvE2yZ6hJ0gPfQ";
    await getDb().apiClient.update({
      where: { id: alice.client.clientId },
      data: { tokenHash: hashToken(legacy) },
    });
    expect(await principalFromBearer(`Bearer ${legacy}`)).toMatchObject({ clientId: alice.client.clientId });
    await getDb().apiClient.update({
      where: { id: alice.client.clientId },
      data: { tokenHash: hashToken(alice.client.token) },
    });
  });
});

describe("API client tokens", () => {
  it("rotation without grace stops the old token at once, even a remembered one", async () => {
    const tenant = await createTenant(1);
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200); // remembered now
    const rotated = await rotateClientToken({
      manager: tenant.userPrincipal,
      clientId: tenant.client.clientId,
    });
    expect(rotated.previousTokenValidUntil).toBeNull();
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(401);
    expect(await listOverRest(`Bearer ${rotated.token}`)).toBe(200);
  });

  it("rotation with a grace keeps the old token working until the grace ends", async () => {
    const tenant = await createTenant(1);
    const rotated = await rotateClientToken({
      manager: tenant.userPrincipal,
      clientId: tenant.client.clientId,
      graceHours: 24,
    });
    expect(new Date(rotated.previousTokenValidUntil ?? 0).getTime()).toBeGreaterThan(
      Date.now() + 23 * 3_600_000,
    );
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200);
    expect(await listOverRest(`Bearer ${rotated.token}`)).toBe(200);
    await getDb().apiClient.update({
      where: { id: tenant.client.clientId },
      data: { previousTokenExpiresAt: new Date(Date.now() - 1) },
    });
    const cacheEntryLifeMs = 3_000;
    await expect
      .poll(() => listOverRest(`Bearer ${tenant.client.token}`), {
        timeout: cacheEntryLifeMs + 2_000,
        interval: 200,
      })
      .toBe(401);
    expect(await listOverRest(`Bearer ${rotated.token}`)).toBe(200);
  });

  it("refuses a grace beyond 24 hours, and changes nothing", async () => {
    const tenant = await createTenant(1);
    await expect(
      rotateClientToken({ manager: tenant.userPrincipal, clientId: tenant.client.clientId, graceHours: 25 }),
    ).rejects.toThrow("grace must be at most 24 hours");
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200);
  });

  it("revocation stops the token at once; the client stays listed as revoked", async () => {
    const tenant = await createTenant(1);
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200);
    await revokeClient({ manager: tenant.userPrincipal, clientId: tenant.client.clientId });
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(401);
    const [listed] = await listClients({ principal: tenant.userPrincipal });
    expect(listed?.revokedAt).not.toBeNull();
    await expect(
      rotateClientToken({ manager: tenant.userPrincipal, clientId: tenant.client.clientId }),
    ).rejects.toThrow("API client not found");
  });

  it("only the owner manages a client: another user, or a client acting for itself, gets not found", async () => {
    const [owner, other] = [await createTenant(1), await createTenant(1)];
    for (const manager of [other.userPrincipal, owner.clientPrincipal]) {
      await expect(revokeClient({ manager, clientId: owner.client.clientId })).rejects.toThrow(
        "API client not found",
      );
      await expect(renameClient({ manager, clientId: owner.client.clientId, name: "x" })).rejects.toThrow(
        "API client not found",
      );
    }
    expect(await listOverRest(`Bearer ${owner.client.token}`)).toBe(200);
  });

  it("renames, refusing an empty name; records when the token was last used", async () => {
    const tenant = await createTenant(1);
    await expect(
      renameClient({ manager: tenant.userPrincipal, clientId: tenant.client.clientId, name: "  " }),
    ).rejects.toThrow("client name must not be empty");
    await renameClient({
      manager: tenant.userPrincipal,
      clientId: tenant.client.clientId,
      name: "Scheduling",
    });
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200);
    const [client] = await listClients({ principal: tenant.userPrincipal });
    expect(client?.name).toBe("Scheduling");
    expect(client?.lastUsedAt).not.toBeNull();
  });
});

describe("disabling a user", () => {
  it("ends their sessions, stops their clients and refuses their sign-in", async () => {
    const tenant = await createTenant(1);
    const token = await sessionToken(tenant);
    expect(await principalFromSession(token)).not.toBeNull();
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(200);
    const disabled = await disableUser({ email: tenant.user.email });
    expect(disabled).toMatchObject({ endedSessions: 1, stoppedClients: 1 });
    expect(await principalFromSession(token)).toBeNull();
    expect(await listOverRest(`Bearer ${tenant.client.token}`)).toBe(401);
    expect(await signIn({ email: tenant.user.email, password: tenant.password })).toEqual({
      ok: false,
      error: "Invalid email or password",
    });
  });
});
