/**
 * Edits are never lost and every change is accounted for: versions as ETags, If-Match and 412,
 * writers that take turns, PATCH racing DELETE, the change history (REST and service) and restore.
 * Through the real route handlers, on SQLite or PostgreSQL.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as historyRoute from "../app/api/v2/public/webhooks/facility/[webhookId]/history/route";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { revokeFacilityAccess } from "../server/accounts/accounts.service";
import { getDb } from "../server/db";
import { resendDelivery } from "../server/deliveries/deliveries.service";
import { purgeExpiredLogs } from "../server/deliveries/delivery-log.service";
import { publishEvent } from "../server/deliveries/events.service";
import { getWebhook, listWebhookHistory, restoreWebhookVersion } from "../server/webhooks/webhook.service";
import { secretFingerprint } from "../server/webhooks/webhook-history";
import { createTenant, type Tenant } from "./helpers";

const BASE = "http://localhost/api/v2/public/webhooks/facility";
type Call = { token: string; body?: unknown; headers?: Record<string, string> };

async function send(method: string, path: string, { token, body, headers = {} }: Call) {
  const [webhookId = "", sub] = (path.split("?")[0] ?? "").split("/");
  const request = new Request(`${BASE}${path ? `/${path}` : ""}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const context = { params: Promise.resolve({ webhookId }) };
  type Handler = (request: Request, context: { params: Promise<{ webhookId: string }> }) => Promise<Response>;
  const handler: Handler | undefined =
    sub === "history"
      ? historyRoute.GET
      : path
        ? { GET: item.GET, PATCH: item.PATCH, DELETE: item.DELETE }[method]
        : ({ GET: collection.GET, POST: collection.POST } as unknown as Record<string, Handler>)[method];
  if (!handler) throw new Error(`no ${method} ${path}`);
  const response = await handler(request, context);
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get("etag"),
    body: text ? JSON.parse(text) : null,
  };
}

const PRECONDITION_FAILED = {
  message: "Webhook was modified by someone else",
  error: "Precondition Failed",
  statusCode: 412,
};

let alice: Tenant;
let bob: Tenant;
beforeAll(async () => {
  alice = await createTenant(2);
  bob = await createTenant(1);
});

async function newWebhook(tenant = alice, headers: Record<string, string> = {}) {
  const created = await send("POST", "", {
    token: tenant.client.token,
    headers,
    body: {
      url: "https://alice.example/hook",
      events: ["shift.created"],
      facilities: [tenant.facilityIds[0]],
    },
  });
  expect(created.status).toBe(201);
  return created.body.data as {
    id: string;
    url: string;
    events: string[];
    facilities: string[];
    secrets: string[];
  };
}

describe("versions and ETags", () => {
  it("POST, PATCH and GET of one webhook carry its version as the ETag; bodies stay the contract's", async () => {
    const created = await send("POST", "", {
      token: alice.client.token,
      body: { url: "https://alice.example/etag", events: ["all"] },
    });
    expect(created.etag).toBe('"1"');
    expect(Object.keys(created.body.data).sort()).toEqual([
      "clientId",
      "events",
      "facilities",
      "id",
      "secrets",
      "url",
    ]);
    const id = created.body.data.id;
    const patched = await send("PATCH", id, {
      token: alice.client.token,
      body: { events: ["shift.cancelled"] },
    });
    expect([patched.status, patched.etag]).toEqual([201, '"2"']);
    const read = await send("GET", id, { token: alice.client.token });
    expect([read.status, read.etag, read.body.data]).toEqual([200, '"2"', patched.body.data]);
    expect((await send("GET", id, { token: bob.client.token })).status).toBe(404);
  });

  it("a PATCH that changes nothing keeps the version and records nothing", async () => {
    const webhook = await newWebhook();
    const same = await send("PATCH", webhook.id, {
      token: alice.client.token,
      body: { events: webhook.events },
    });
    expect([same.status, same.etag]).toEqual([201, '"1"']);
    expect(
      await listWebhookHistory({
        principal: alice.clientPrincipal,
        webhookId: webhook.id,
        limit: 10,
        offset: 0,
      }),
    ).toHaveLength(1);
  });

  it("PATCH with a stale If-Match answers 412 and changes nothing; the current ETag succeeds", async () => {
    const webhook = await newWebhook();
    await send("PATCH", webhook.id, { token: alice.client.token, body: { url: "https://alice.example/v2" } });
    for (const stale of ['"1"', '"99"', 'W/"2"', "not-an-etag"]) {
      const refused = await send("PATCH", webhook.id, {
        token: alice.client.token,
        headers: { "if-match": stale },
        body: { url: "https://alice.example/lost" },
      });
      expect([refused.status, refused.body]).toEqual([412, PRECONDITION_FAILED]);
    }
    expect((await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id })).url).toBe(
      "https://alice.example/v2",
    );
    const accepted = await send("PATCH", webhook.id, {
      token: alice.client.token,
      headers: { "if-match": '"2"' },
      body: { url: "https://alice.example/v3" },
    });
    expect([accepted.status, accepted.etag]).toEqual([201, '"3"']);
  });

  it("checks If-Match after the contract's 404 and 403", async () => {
    const webhook = await newWebhook();
    const headers = { "if-match": '"7"' };
    expect((await send("PATCH", webhook.id, { token: bob.client.token, headers, body: {} })).status).toBe(
      404,
    );
    const forbidden = await send("PATCH", webhook.id, {
      token: alice.client.token,
      headers,
      body: { facilities: bob.facilityIds },
    });
    expect(forbidden.status).toBe(403);
  });

  it("DELETE with a stale If-Match answers 412 and deletes nothing; with the current one or * it deletes", async () => {
    const webhook = await newWebhook();
    const refused = await send("DELETE", webhook.id, {
      token: alice.client.token,
      headers: { "if-match": '"5"' },
    });
    expect([refused.status, refused.body]).toEqual([412, PRECONDITION_FAILED]);
    expect((await send("GET", webhook.id, { token: alice.client.token })).status).toBe(200);
    expect(
      (await send("DELETE", webhook.id, { token: alice.client.token, headers: { "if-match": '"1"' } }))
        .status,
    ).toBe(201);
    const other = await newWebhook();
    expect(
      (await send("DELETE", other.id, { token: alice.client.token, headers: { "if-match": "*" } })).status,
    ).toBe(201);
  });
});

describe("concurrent writers", () => {
  it("100 PATCHes with the same If-Match: exactly one succeeds, the others answer 412", async () => {
    const webhook = await newWebhook();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send("PATCH", webhook.id, {
          token: alice.client.token,
          headers: { "if-match": '"1"' },
          body: { url: `https://alice.example/racer-${i}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(99);
    const winner = results.find((r) => r.status === 201)?.body.data;
    expect(await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id })).toEqual({
      ...winner,
      version: 2,
    });
  }, 60_000);

  it("100 PATCHes without If-Match all succeed, and the final state is exactly one of them", async () => {
    const webhook = await newWebhook();
    const bodies = Array.from({ length: 100 }, (_, i) => ({
      url: `https://alice.example/writer-${i}`,
      events: i % 2 ? ["shift.created", "shift.cancelled"] : ["all"],
      facilities: [alice.facilityIds[i % 2]],
      secrets: [`secret-number-${String(i).padStart(8, "0")}`],
    }));
    const results = await Promise.all(
      bodies.map((body) => send("PATCH", webhook.id, { token: alice.client.token, body })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const final = await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id });
    const winner = bodies.find((b) => b.url === final.url);
    expect(final).toEqual({ ...webhook, ...winner, version: expect.any(Number) });
    expect(final.version).toBe(101);
  }, 60_000);

  it("PATCHes of different fields at once each keep their field, and each is recorded once", async () => {
    const webhook = await newWebhook();
    const urls = Array.from({ length: 20 }, (_, i) => ({ url: `https://alice.example/racer-${i}` }));
    const secrets = Array.from({ length: 20 }, (_, i) => ({
      secrets: [`racing-secret-${String(i).padStart(6, "0")}`],
    }));
    const bodies = urls.flatMap((url, i) => [url, secrets[i]]);
    const results = await Promise.all(
      bodies.map((body) => send("PATCH", webhook.id, { token: alice.client.token, body })),
    );
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 201));
    const final = await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id });
    // A writer that lost the race re-applies its own field onto the winner's webhook, never over it.
    expect(urls.map((b) => b.url)).toContain(final.url);
    expect(secrets.map((b) => b.secrets)).toContainEqual(final.secrets);
    expect(final.version).toBe(1 + bodies.length);
    const history = await listWebhookHistory({
      principal: alice.clientPrincipal,
      webhookId: webhook.id,
      limit: 100,
      offset: 0,
    });
    expect(history.map((e) => e.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1 + bodies.length }, (_, i) => i + 1),
    );
  }, 60_000);

  it("a PATCH racing a DELETE answers 201 or 404, never 500", async () => {
    for (let round = 0; round < 15; round++) {
      const webhook = await newWebhook();
      const [patched, deleted] = await Promise.all([
        send("PATCH", webhook.id, {
          token: alice.client.token,
          body: { events: ["all"], facilities: alice.facilityIds, secrets: ["x".repeat(32)] },
        }),
        send("DELETE", webhook.id, { token: alice.client.token }),
      ]);
      expect([201, 404]).toContain(patched.status);
      expect(deleted.status).toBe(201);
    }
  }, 60_000);
});

describe("change history", () => {
  it("records create, update, secret rotation and delete: who, when, from where, each field before → after", async () => {
    const origin = { "user-agent": "IntegrationBot/1.0", "x-forwarded-for": "198.51.100.23" };
    const webhook = await newWebhook(alice, origin);
    const rotated = "n".repeat(32);
    await send("PATCH", webhook.id, {
      token: alice.client.token,
      headers: origin,
      body: { url: "https://alice.example/moved" },
    });
    await send("PATCH", webhook.id, {
      token: alice.client.token,
      headers: origin,
      body: { secrets: [rotated] },
    });
    await send("DELETE", webhook.id, { token: alice.client.token, headers: origin });

    const answer = await send("GET", `${webhook.id}/history`, { token: alice.client.token });
    expect(answer.status).toBe(200);
    const entries = answer.body.data as Awaited<ReturnType<typeof listWebhookHistory>>;
    expect(entries.map((e) => [e.action, e.version])).toEqual([
      ["deleted", 3],
      ["secrets-rotated", 3],
      ["updated", 2],
      ["created", 1],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        actor: `Client ${alice.user.email.slice(6, 14)} (API client)`,
        ip: "198.51.100.23",
        userAgent: "IntegrationBot/1.0",
      });
      expect(Date.parse(entry.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(entries[2]?.changes).toEqual([
      { field: "url", before: "https://alice.example/hook", after: "https://alice.example/moved" },
    ]);
    expect(entries[1]?.changes).toEqual([
      {
        field: "secrets",
        before: webhook.secrets.map(secretFingerprint),
        after: [secretFingerprint(rotated)],
      },
    ]);
    const text = JSON.stringify(answer.body);
    for (const secret of [...webhook.secrets, rotated]) expect(text).not.toContain(secret);
  });

  it("is the caller's only, paged like the log API, with the contract's 400 messages", async () => {
    const webhook = await newWebhook();
    for (let i = 0; i < 4; i++) {
      await send("PATCH", webhook.id, {
        token: alice.client.token,
        body: { url: `https://alice.example/p${i}` },
      });
    }
    expect((await send("GET", `${webhook.id}/history`, { token: bob.client.token })).status).toBe(404);
    const page = await send("GET", `${webhook.id}/history?limit=2&offset=1`, { token: alice.client.token });
    expect(page.body.data.map((e: { version: number }) => e.version)).toEqual([4, 3]);
    expect(
      (await send("GET", `${webhook.id}/history?offset=50`, { token: alice.client.token })).body.data,
    ).toEqual([]);
    const bad = await send("GET", `${webhook.id}/history?limit=101&offset=-1`, { token: alice.client.token });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        message: ["limit must not be greater than 100", "offset must not be less than 0"],
        error: "Bad Request",
        statusCode: 400,
      },
    });
    expect((await send("GET", "not-a-uuid/history", { token: alice.client.token })).status).toBe(404);
  });

  it("records a resend in the same transaction as the resend", async () => {
    const webhook = await newWebhook();
    const { eventId } = await publishEvent({
      eventType: "shift.created",
      facilityId: alice.facilityIds[0],
      data: {},
    });
    const delivery = await getDb().delivery.findFirstOrThrow({ where: { eventId, webhookId: webhook.id } });
    await resendDelivery({ principal: alice.userPrincipal, deliveryId: delivery.id });
    const [latest] = await listWebhookHistory({
      principal: alice.userPrincipal,
      webhookId: webhook.id,
      limit: 1,
      offset: 0,
    });
    expect(latest).toMatchObject({
      action: "resent",
      actor: alice.user.email,
      changes: [{ field: "delivery", after: delivery.id }],
    });
  });

  it("is purged after HISTORY_RETENTION_DAYS", async () => {
    const webhook = await newWebhook();
    await purgeExpiredLogs(Date.now() + 366 * 86_400_000);
    await expect(
      listWebhookHistory({ principal: alice.clientPrincipal, webhookId: webhook.id, limit: 10, offset: 0 }),
    ).rejects.toThrow("Webhook not found");
  });
});

describe("restoring a version", () => {
  it("puts the recorded values back as a new change, keeping today's secrets unless asked, recorded as restored", async () => {
    const webhook = await newWebhook();
    const rotated = "r".repeat(32);
    await send("PATCH", webhook.id, {
      token: alice.client.token,
      body: { url: "https://alice.example/new", events: ["all"], secrets: [rotated] },
    });
    const [current, created] = await listWebhookHistory({
      principal: alice.userPrincipal,
      webhookId: webhook.id,
      limit: 10,
      offset: 0,
    });
    // The confirm dialog names both sets of secrets by fingerprint.
    expect(current?.secrets).toEqual([secretFingerprint(rotated)]);
    expect(created?.secrets).toEqual(webhook.secrets.map(secretFingerprint));
    const restore = (expectedVersion: number, withSecrets?: boolean) =>
      restoreWebhookVersion({
        principal: alice.userPrincipal,
        webhookId: webhook.id,
        changeId: created?.id ?? "",
        expectedVersion,
        withSecrets,
      });
    // A secret rotated out (after a leak, say) does not come back with the old URL…
    expect(await restore(2)).toEqual({ ...webhook, secrets: [rotated], version: 3 });
    // …unless the admin asks for it too.
    expect(await restore(3, true)).toEqual({ ...webhook, version: 4 });
    const [latest] = await listWebhookHistory({
      principal: alice.userPrincipal,
      webhookId: webhook.id,
      limit: 1,
      offset: 0,
    });
    expect(latest).toMatchObject({ action: "restored", version: 4, actor: alice.user.email });
  });

  it("goes through the same checks: a stale version is refused, and so is a facility the user lost", async () => {
    const tenant = await createTenant(2);
    const webhook = await newWebhook(tenant);
    await send("PATCH", webhook.id, {
      token: tenant.client.token,
      body: { facilities: [tenant.facilityIds[1]] },
    });
    const [, created] = await listWebhookHistory({
      principal: tenant.userPrincipal,
      webhookId: webhook.id,
      limit: 10,
      offset: 0,
    });
    const restore = (expectedVersion: number) =>
      restoreWebhookVersion({
        principal: tenant.userPrincipal,
        webhookId: webhook.id,
        changeId: created?.id ?? "",
        expectedVersion,
      });
    await expect(restore(1)).rejects.toThrow("Webhook was modified by someone else");
    await revokeFacilityAccess({ email: tenant.user.email, facilityId: tenant.facilityIds[0] ?? "" });
    await expect(restore(2)).rejects.toThrow(`You do not have access to facility ${tenant.facilityIds[0]}`);
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId: webhook.id })).version).toBe(2);
  });
});
