import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { principalFromBearer } from "../server/auth/bearer";
import { CREDENTIAL_TTL_MS } from "../server/auth/principal-cache";
import { principalFromSession, signIn } from "../server/auth/sessions";
import { keyRing, newEncryptionKey, reloadKeyRing } from "../server/crypto/sealed-secrets";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { getEnv } from "../server/env";
import { countSealedUnderMissingKeys } from "../server/operations/health";
import { createWebhook, getWebhook, listWebhookHistory } from "../server/webhooks/webhook.service";
import { secretFingerprint } from "../server/webhooks/webhook-history";
import { adminWithEnv, createTenant } from "./helpers";

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

/** Another process changed the database: this one's remembered credentials catch up within the TTL. */
const withinTtl = { timeout: CREDENTIAL_TTL_MS + 2_000, interval: 100 };
const bearerWorks = (token: string) =>
  principalFromBearer(`Bearer ${token}`).then(
    () => true,
    () => false,
  );

/** Runs `npm run admin -- …` as an operator would, against this test file's database. */
const admin = (...args: string[]) => adminWithEnv({}, ...args);

describe("admin CLI", () => {
  it("adds a facility, a user with access to it, and an API client whose token authenticates", async () => {
    const tag = randomUUID().slice(0, 8);
    const email = `cli-${tag}@example.com`;
    expect((await admin("facility", "add", `P-${tag}`, "CLI Facility")).code).toBe(0);
    expect(
      (await admin("user", "add", email, "--password", "a-long-password", "--facility", `P-${tag}`)).code,
    ).toBe(0);

    const client = await admin("client", "add", "CLI client", "--user", email, "--json");
    expect(client.code).toBe(0);
    const lastLine = client.stdout.trim().split("\n").at(-1) ?? "";
    const { clientId, token } = JSON.parse(lastLine) as { clientId: string; token: string };
    expect(await principalFromBearer(`Bearer ${token}`)).toEqual({ userId: expect.any(String), clientId });

    const stored = await getDb().apiClient.findUniqueOrThrow({ where: { id: clientId } });
    expect(stored.tokenHash).not.toContain(token);
    const published = await admin(
      "event",
      "publish",
      "shift.created",
      "--facility",
      `P-${tag}`,
      "--data",
      '{"shiftId":"s-1"}',
    );
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout.trim().split("\n").at(-1) ?? "")).toEqual({
      eventId: expect.any(String),
      deliveries: 0,
    });

    const access = await getDb().facilityAccess.findMany({ where: { user: { email } } });
    expect(access.map((a) => a.facilityId)).toEqual([`P-${tag}`]);
  }, 60_000); // three CLI processes, each compiling TypeScript at start

  it.each([
    [["facility", "add", "P-only-id"], /usage/],
    [
      ["user", "add", "not-an-email", "--password", "a-long-password", "--facility", "P-x"],
      /email must be a valid email/,
    ],
    [
      ["user", "add", "short@example.com", "--password", "short", "--facility", "P-x"],
      /at least 12 characters/,
    ],
    [
      ["user", "add", "nofacility@example.com", "--password", "a-long-password", "--facility", "P-none"],
      /no such facility: P-none/,
    ],
    [["client", "add", "Orphan", "--user", "nobody@example.com"], /no user with email nobody@example.com/],
    [["client", "add", "x", "--bogus"], /Unknown option '--bogus'/],
    [
      ["event", "publish", "shift.created", "--facility", "P-x", "--data", "{not json"],
      /--data must be valid JSON/,
    ],
    [
      ["event", "publish", "all", "--facility", "P-x", "--data", "{}"],
      /eventType must be one of the following values/,
    ],
    [
      ["client", "rotate", "00000000-0000-4000-8000-000000000000"],
      /API client not found: 00000000-0000-4000-8000-000000000000/,
    ],
    [["client", "revoke", "not-a-client-id"], /API client not found: not-a-client-id/],
    [["user", "disable", "nobody@example.com"], /no user with email nobody@example.com/],
    [["user", "revoke", "nobody@example.com", "--facility", "P-x"], /no user with email nobody@example.com/],
    [[], /usage/],
  ])("refuses %j with a clear message, exit code 1 and no stack trace", async (args, message) => {
    const usersBefore = await getDb().user.count();
    const result = await admin(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(await getDb().user.count()).toBe(usersBefore);
  });

  it("rotates a client's token (--json) and revokes it; this process stops honouring each within the TTL", async () => {
    const tenant = await createTenant(1);
    expect(await bearerWorks(tenant.client.token)).toBe(true); // remembered by this process now

    const rotated = await admin("client", "rotate", tenant.client.clientId, "--json");
    expect(rotated.code).toBe(0);
    const { clientId, token } = lastJsonLine(rotated.stdout) as { clientId: string; token: string };
    expect(clientId).toBe(tenant.client.clientId);
    expect(token).toMatch(/^fwh_/);
    await expect.poll(() => bearerWorks(tenant.client.token), withinTtl).toBe(false);
    expect(await bearerWorks(token)).toBe(true);

    const revoked = await admin("client", "revoke", clientId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API client ${clientId}`);
    await expect.poll(() => bearerWorks(token), withinTtl).toBe(false);
  }, 60_000);

  it("refuses a rotation grace over 24 hours and changes nothing", async () => {
    const tenant = await createTenant(1);
    const result = await admin("client", "rotate", tenant.client.clientId, "--grace-hours", "30");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/grace must be at most 24 hours/);
    expect(await bearerWorks(tenant.client.token)).toBe(true);
  }, 30_000);

  it("rotates the Ed25519 signing keys with an overlap, lists them, and refuses an overlap that is not whole hours", async () => {
    const refused = await admin("signing-keys", "rotate", "--overlap-hours", "a day");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/overlap must be a whole number of hours from 0 to 720/);
    const first = await admin("signing-keys", "list"); // the first key is made on first use
    expect(first.stdout.trim().split("\n")).toHaveLength(1);

    const rotated = await admin("signing-keys", "rotate", "--overlap-hours", "2");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /New Ed25519 signing key [\w-]{43}: it signs and is published from now on/,
    );
    const listed = await admin("signing-keys", "list");
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/signs until \S+Z$/);
    expect(lines[1]).toMatch(/the newest$/);
  }, 30_000);

  it("takes a facility from a user (events stop) and disables a user (sessions end, clients stop)", async () => {
    const tenant = await createTenant(2);
    const [f1, f2] = tenant.facilityIds as [string, string];
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: "https://receiver.example/cli", events: ["shift.created"], facilities: [f1, f2] },
    });
    const publish = (facilityId: string) =>
      publishEvent({ eventType: "shift.created", facilityId, data: {} });

    const revoked = await admin("user", "revoke", tenant.user.email, "--facility", f1);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${tenant.user.email}'s access to facility ${f1}`);
    expect((await publish(f1)).deliveries).toBe(0);
    expect((await publish(f2)).deliveries).toBe(1);
    const again = await admin("user", "revoke", tenant.user.email, "--facility", f1);
    expect(again.stderr).toMatch(`has no access to facility ${f1}`);

    const session = await signIn({ email: tenant.user.email, password: tenant.password });
    if (!session.ok) throw new Error(session.error);
    expect(await principalFromSession(session.token)).not.toBeNull();
    const disabled = await admin("user", "disable", tenant.user.email);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain(
      `Disabled ${tenant.user.email}: ended 1 session(s); 1 API client(s) stopped`,
    );
    await expect.poll(() => principalFromSession(session.token), withinTtl).toBeNull();
    await expect.poll(() => bearerWorks(tenant.client.token), withinTtl).toBe(false);
    expect((await publish(f2)).deliveries).toBe(0);
  }, 60_000);

  it("keys rotate re-seals every secret under a new key, and the secrets read the same", async () => {
    const tenant = await createTenant(1);
    const secret = "RotateMe-0123456789abcdef";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: "https://receiver.example/keys", events: ["shift.created"], secrets: [secret] },
    });
    const sealedWith = async () =>
      (await getDb().webhookSecret.findFirstOrThrow({ where: { webhookId: webhook.id } })).value.split(
        ":",
      )[2];
    const before = await sealedWith();
    // On PostgreSQL the operator puts a new key first in APP_ENCRYPTION_KEY (here, for the CLI and for
    // this process alike); on SQLite the key file beside the database rotates.
    const env: Record<string, string> = {};
    const configured = getEnv().APP_ENCRYPTION_KEY;
    if (configured) {
      env.APP_ENCRYPTION_KEY = `${newEncryptionKey()},${configured}`;
      getEnv().APP_ENCRYPTION_KEY = env.APP_ENCRYPTION_KEY;
      reloadKeyRing();
    }
    const rotated = await adminWithEnv(env, "keys", "rotate");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /Re-sealed \d+ webhook secret\(s\), history snapshot\(s\) and signing key\(s\) with key [0-9a-f]{8}/,
    );
    const after = await sealedWith();
    expect(after).not.toBe(before);
    expect(rotated.stdout).toContain(after);
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId: webhook.id })).secrets).toEqual([
      secret,
    ]);
    if (!configured) expect(keyRing().map((k) => k.id)).toEqual([after]); // the old key left the key file
    // History snapshots too: once the old key is gone, every earlier version still restores with its
    // secrets, and nothing stays sealed under a key the server no longer has.
    if (configured) {
      getEnv().APP_ENCRYPTION_KEY = env.APP_ENCRYPTION_KEY?.split(",")[0];
      reloadKeyRing();
    }
    expect(await countSealedUnderMissingKeys(getDb())).toBe(0);
    const [created] = await listWebhookHistory({
      principal: tenant.userPrincipal,
      webhookId: webhook.id,
      limit: 1,
      offset: 0,
    });
    expect(created?.secrets).toEqual([secretFingerprint(secret)]);
  }, 60_000);

  it("refuses extreme values (past 2^53, 100 kB, prototype names) with a short error, never a stack trace", async () => {
    const huge = "x".repeat(100_000); // near the 128 kB a single argument may have
    const runs = await Promise.all([
      admin("user", "add", `${huge}@example.com`, "--password", "a-long-password", "--facility", "P-1"),
      admin("facility", "add", "__proto__", huge),
      admin("client", "rotate", "9007199254740993", "--grace-hours", "99999999999999999999999"),
      admin(
        "deliveries",
        "replay",
        "--webhook",
        "constructor",
        "--since",
        "2026-01-01T00:00:00Z",
        "--rate",
        "1e309",
      ),
      admin("event", "publish", "shift.created", "--facility", huge, "--data", "[".repeat(5_000)),
    ]);
    for (const { code, stderr } of runs) {
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: /m);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr.length).toBeLessThan(2_000);
    }
  }, 60_000);
});
