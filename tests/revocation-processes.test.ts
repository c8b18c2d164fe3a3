/**
 * Revocation across processes: two app servers (the production build) on one database. Revoking a
 * client or ending a session through one takes effect there at once, and in the other within 5 s
 * — the bound README's Security section promises.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalFromSession, signIn } from "../server/auth/sessions";
import { type AppServer, createTenant, startAppServer, type Tenant } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "..");
const REVOCATION_BOUND_MS = 5_000;
const built = fs.existsSync(path.join(ROOT, ".next/BUILD_ID"));

const rest = (server: AppServer, token: string) =>
  fetch(`${server.url}/api/v2/public/webhooks/facility`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.status);

const trpcQuery = (server: AppServer, sessionToken: string) =>
  fetch(`${server.url}/api/trpc/clients.list`, { headers: { cookie: `session=${sessionToken}` } }).then(
    (r) => r.status,
  );

function trpcMutation(server: AppServer, sessionToken: string, procedure: string, input: unknown) {
  return fetch(`${server.url}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { cookie: `session=${sessionToken}`, "content-type": "application/json", origin: server.url },
    body: JSON.stringify(input),
  }).then((r) => r.status);
}

/** How long until `check` answers 401, polling every 50 ms. */
async function msUntilRefused(check: () => Promise<number>): Promise<number> {
  const started = Date.now();
  while ((await check()) !== 401) {
    if (Date.now() - started > REVOCATION_BOUND_MS * 3) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

async function newSession(tenant: Tenant): Promise<string> {
  const result = await signIn({ email: tenant.user.email, password: tenant.password });
  if (!result.ok) throw new Error(result.error);
  return result.token;
}

let a: AppServer;
let b: AppServer;

beforeAll(async () => {
  if (!built) return;
  [a, b] = await Promise.all([startAppServer(), startAppServer()]);
}, 60_000);
afterAll(() => {
  a?.process.kill();
  b?.process.kill();
});

describe.runIf(built)("revocation across two app servers on one database", () => {
  it("a client revoked through one server is refused there at once and by the other within 5 s", async () => {
    const tenant = await createTenant(1);
    const admin = await newSession(tenant);
    expect([await rest(a, tenant.client.token), await rest(b, tenant.client.token)]).toEqual([200, 200]);

    expect(await trpcMutation(a, admin, "clients.revoke", { clientId: tenant.client.clientId })).toBe(200);
    expect(await rest(a, tenant.client.token)).toBe(401);
    const elapsed = await msUntilRefused(() => rest(b, tenant.client.token));
    console.log(`client revocation reached the other server after ${elapsed} ms`);
    expect(elapsed).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  }, 30_000);

  it("a session ended through one server is refused there at once and by the other within 5 s", async () => {
    const tenant = await createTenant(1);
    const [admin, other] = [await newSession(tenant), await newSession(tenant)];
    expect([await trpcQuery(a, other), await trpcQuery(b, other)]).toEqual([200, 200]);
    const otherId = (await principalFromSession(other))?.sessionId;

    expect(await trpcMutation(a, admin, "sessions.end", { sessionId: otherId })).toBe(200);
    expect(await trpcQuery(a, other)).toBe(401);
    const elapsed = await msUntilRefused(() => trpcQuery(b, other));
    console.log(`session end reached the other server after ${elapsed} ms`);
    expect(elapsed).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  }, 30_000);
});
