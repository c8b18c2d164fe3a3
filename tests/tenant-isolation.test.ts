/**
 * One tenant cannot hurt another in the shared delivery pipeline: a receiver's answer cannot stop
 * other tenants' outcomes from being recorded; bytes no database stores come back as a clear
 * refusal at every door, the same on both backends; the purge never drops what is still to be
 * sent; and the worker shares its pool in turns, so one tenant's volume or dead endpoints take
 * only that tenant's share.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "1s,2s,3s";
process.env.WEBHOOK_CONCURRENCY = "6";
process.env.WEBHOOK_PER_CLIENT_CONCURRENCY = "3";
process.env.WEBHOOK_TIMEOUT_MS = "1000";
process.env.WEBHOOK_CIRCUIT_AFTER = "2";
process.env.WEBHOOK_MAX_DELIVERIES_PER_PUBLISH = "50";
process.env.MAX_CLIENTS_PER_USER = "3";

import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { addClient } from "../server/accounts/accounts.service";
import { renameClient, revokeClient } from "../server/accounts/clients.service";
import { signIn } from "../server/auth/sessions";
import { getDb } from "../server/db";
import { sendTestEvent } from "../server/deliveries/deliveries.service";
import { purgeExpiredLogs, searchDeliveryLog } from "../server/deliveries/delivery-log.service";
import { publishEvent, publishEvents } from "../server/deliveries/events.service";
import { runReplays, shareReplayBudget } from "../server/deliveries/replays.service";
import { claimDueDeliveries, runDueDeliveries, startWorker } from "../server/deliveries/worker";
import { asAppError, NUL_REFUSAL } from "../server/errors";
import { checkHealth, countSealedUnderMissingKeys } from "../server/operations/health";
import { TRPC_MAX_BATCH } from "../server/trpc/batch";
import {
  createWebhook,
  listWebhookHistory,
  restoreWebhookVersion,
  updateWebhook,
} from "../server/webhooks/webhook.service";
import { createTenant, startWorkerProcess, type Tenant } from "./helpers";
import { BINARY_ANSWER, startReceiver } from "./https-receiver";
import { captureLog } from "./log-capture";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let receiver: Receiver;
/** Another endpoint (port) whose /hold paths never answer. */
let tarpit: Receiver;

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tarpit = await startReceiver(inject("receiverTls"));
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  tarpit.releaseHeld();
  await Promise.all([receiver.close(), tarpit.close()]);
});

const hook = (tenant: Tenant, path: string, at = receiver) =>
  createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: at.url(path), events: ["all"], facilities: tenant.facilityIds },
  });

const publishTo = async (tenant: Tenant, count: number) => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { eventId } = await publishEvent({
      eventType: "shift.created",
      facilityId: tenant.facilityIds[0],
      data: { n: i },
    });
    ids.push((await getDb().delivery.findFirstOrThrow({ where: { eventId } })).id);
  }
  return ids;
};

/** Ends deliveries a test left retrying, so the next test's pass finds only its own. */
const giveUp = (ids: string[]) =>
  getDb().delivery.updateMany({ where: { id: { in: ids } }, data: { status: "failure", dueAtMs: null } });

// Every door (REST, tRPC, CLI) answers what asAppError makes of an error.
const refusalOf = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error) => asAppError(error) ?? error,
  );

const requestsFor = (deliveryId: string) =>
  receiver.received.filter((r) => r.headers["webhook-delivery-id"] === deliveryId).length;

const logOf = (tenant: Tenant) =>
  searchDeliveryLog({
    principal: tenant.clientPrincipal,
    query: {
      facilitiesIds: [],
      startDate: new Date(0),
      endDate: new Date(Date.now() + 60_000),
      sortDirection: "ASC",
      limit: 100,
      offset: 0,
    },
  });

describe("a receiver's answer", () => {
  it("is stored as text with its real size and type, beside another tenant's outcomes", async () => {
    const [junk, healthy] = [await createTenant(1), await createTenant(1)];
    await hook(junk, "/binary/one");
    await hook(healthy, "/ok/one");
    const [junkDelivery = ""] = await publishTo(junk, 1);
    const [healthyDelivery = ""] = await publishTo(healthy, 1);

    expect(await runDueDeliveries()).toBe(2);
    const [attempt] = await getDb().deliveryAttempt.findMany({ where: { deliveryId: junkDelivery } });
    expect(attempt).toMatchObject({
      responseStatus: 200,
      responseBytes: BINARY_ANSWER.length,
      responseContentType: "application/octet-stream",
    });
    expect(attempt?.responseBody).not.toContain("\0");
    expect(attempt?.responseBody.startsWith("ok")).toBe(true);
    const statuses = await getDb().delivery.findMany({
      where: { id: { in: [junkDelivery, healthyDelivery] } },
      select: { status: true },
    });
    expect(statuses.map((d) => d.status)).toEqual(["success", "success"]);
  });

  it("that cannot be written fails only its own delivery, with the reason; the batch's others are recorded", async () => {
    const [broken, healthy] = [await createTenant(1), await createTenant(1)];
    await hook(broken, "/ok/broken");
    await hook(healthy, "/ok/neighbour");
    const [brokenDelivery = ""] = await publishTo(broken, 1);
    const neighbours = await publishTo(healthy, 3);
    // A row already holding attempt 1 makes that delivery's outcome unwritable (a unique key).
    await getDb().deliveryAttempt.create({
      data: { deliveryId: brokenDelivery, attempt: 1, signature: "", responseBody: "", latencyMs: 0 },
    });

    const logged = captureLog("error");
    expect(await runDueDeliveries()).toBe(4);
    // The operator learns why, with the delivery it concerns.
    expect(logged.map((line) => line.text).join("\n")).toContain(`"deliveryId":"${brokenDelivery}"`);
    const rows = await getDb().delivery.findMany({
      where: { id: { in: [brokenDelivery, ...neighbours] } },
      select: { id: true, status: true, claimToken: true },
    });
    const statusOf = new Map(rows.map((r) => [r.id, r]));
    for (const id of neighbours) expect(statusOf.get(id)?.status).toBe("success");
    // Not left claimed, to be sent again after the lease and fail the same way for ever.
    expect(statusOf.get(brokenDelivery)).toMatchObject({ status: "failure", claimToken: null });
    expect(await runDueDeliveries({ now: Date.now() + 3_600_000 })).toBe(0);
  });

  it("with NUL and binary bytes, beside a healthy tenant, under two worker processes: every delivery once, both logs complete", async () => {
    const [junk, healthy] = [await createTenant(1), await createTenant(1)];
    await hook(junk, "/binary/workers");
    await hook(healthy, "/ok/workers");
    const junkIds = await publishTo(junk, 20);
    const healthyIds = await publishTo(healthy, 10);

    const workers = [startWorkerProcess(), startWorkerProcess()];
    try {
      await expect
        .poll(
          async () =>
            getDb().delivery.count({ where: { id: { in: [...junkIds, ...healthyIds] }, status: "success" } }),
          { timeout: 30_000 },
        )
        .toBe(30);
    } finally {
      for (const worker of workers) worker.kill("SIGKILL");
    }
    expect([...junkIds, ...healthyIds].map(requestsFor)).toEqual(Array(30).fill(1));
    expect((await logOf(junk)).length).toBe(20);
    expect((await logOf(healthy)).length).toBe(10);
  }, 60_000);
});

describe("the retention purge", () => {
  it("keeps every event with a delivery still pending, however old, and reports that backlog", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, "/ok/purge");
    const [delivered = ""] = await publishTo(tenant, 1);
    expect(await runDueDeliveries()).toBe(1);
    const [waiting = ""] = await publishTo(tenant, 1);

    const pastRetention = Date.now() + 15 * 86_400_000;
    await purgeExpiredLogs(pastRetention);
    expect(await getDb().delivery.findUnique({ where: { id: delivered } })).toBeNull();
    expect(await getDb().delivery.findUnique({ where: { id: waiting } })).toMatchObject({
      status: "pending",
    });
    expect((await checkHealth(pastRetention)).queue?.pendingBeyondRetention).toBe(1);
    expect((await checkHealth()).queue?.pendingBeyondRetention).toBe(0);
    expect(await runDueDeliveries()).toBe(1);
  });
});

describe("the worker's turns", () => {
  it("claims each API client's first deliveries, and each webhook's, before anyone's next", async () => {
    const [busy, quiet] = [await createTenant(1), await createTenant(1)];
    const busyHooks = [await hook(busy, "/ok/a"), await hook(busy, "/ok/b"), await hook(busy, "/ok/c")];
    await hook(quiet, "/ok/quiet");
    const busyEvents = await publishTo(busy, 10); // 30 deliveries, all due before the quiet tenant's
    const quietIds = await publishTo(quiet, 2);

    const claimed = await claimDueDeliveries(6, Date.now());
    const rows = await getDb().delivery.findMany({
      where: { id: { in: claimed.map((c) => c.id) } },
      select: { id: true, webhookId: true },
    });
    expect(rows.filter((r) => quietIds.includes(r.id))).toHaveLength(2);
    expect(new Set(rows.filter((r) => !quietIds.includes(r.id)).map((r) => r.webhookId))).toEqual(
      new Set(busyHooks.map((h) => h.id)),
    );
    // Given back and delivered, so later tests start from an empty queue.
    await getDb().delivery.updateMany({ data: { leaseUntilMs: null, claimToken: null } });
    expect(await runDueDeliveries()).toBe(busyEvents.length * 3 + quietIds.length);
  });

  it("keeps one client within its share of the pool while its endpoints never answer", async () => {
    const [stuck, healthy] = [await createTenant(1), await createTenant(1)];
    await hook(stuck, "/hold/share", tarpit);
    const stuckIds = await publishTo(stuck, 10);
    const worker = startWorker({ idleMs: 20 });
    try {
      await expect.poll(() => tarpit.received.filter((r) => r.path === "/hold/share").length).toBe(3);
      await hook(healthy, "/ok/share");
      const healthyIds = await publishTo(healthy, 5);
      await expect
        .poll(() => healthyIds.filter((id) => requestsFor(id) > 0).length, { timeout: 900 })
        .toBe(5);
      // The stuck client held its share (WEBHOOK_PER_CLIENT_CONCURRENCY), never the whole pool.
      expect(tarpit.received.filter((r) => r.path === "/hold/share")).toHaveLength(3);
    } finally {
      await worker.stop();
      await giveUp(stuckIds);
    }
  });

  it("gives an endpoint that keeps timing out one attempt at a time; the rest fail at once, retried on schedule", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, "/hold/circuit", tarpit);
    const ids = await publishTo(tenant, 8);
    const worker = startWorker({ idleMs: 20 });
    try {
      // Every delivery gets its first attempt within a couple of timeouts, not one timeout each.
      await expect
        .poll(() => getDb().delivery.count({ where: { id: { in: ids }, attempts: { gt: 0 } } }), {
          timeout: 4_000,
        })
        .toBe(8);
    } finally {
      await worker.stop();
    }
    // The client's first three (WEBHOOK_PER_CLIENT_CONCURRENCY), and while their timeouts come in
    // one by one, at most WEBHOOK_CIRCUIT_AFTER - 1 more before the circuit opens.
    const sent = tarpit.received.filter((r) => r.path === "/hold/circuit").length;
    expect(sent).toBeLessThanOrEqual(3 + 1);
    const notSent = await getDb().deliveryAttempt.findMany({
      where: { deliveryId: { in: ids }, responseBody: { startsWith: "not sent: this endpoint timed out" } },
    });
    expect(notSent.length).toBeGreaterThanOrEqual(8 - sent);
    const pending = await getDb().delivery.count({ where: { id: { in: ids }, status: "pending" } });
    expect(pending).toBe(8);
    await giveUp(ids);
  });
});

describe("a secret sealed with a key the server does not have", () => {
  it("fails only its own webhook's deliveries, its own restore, not a list; health counts it", async () => {
    const [broken, healthy] = [await createTenant(1), await createTenant(1)];
    const webhook = await hook(broken, "/ok/unopenable");
    await hook(healthy, "/ok/beside-unopenable");
    await updateWebhook({
      principal: broken.clientPrincipal,
      webhookId: webhook.id,
      input: { url: receiver.url("/ok/v2") },
    });
    const [created] = (
      await listWebhookHistory({
        principal: broken.userPrincipal,
        webhookId: webhook.id,
        limit: 10,
        offset: 0,
      })
    ).slice(-1);
    // As if sealed under a key since removed: first the snapshots of earlier versions…
    const missingKey = "enc:v1:00000000:AAAA";
    for (const change of await getDb().webhookChange.findMany({ where: { webhookId: webhook.id } })) {
      const snapshot = JSON.parse(change.snapshot ?? "{}");
      await getDb().webhookChange.update({
        where: { id: change.id },
        data: { snapshot: JSON.stringify({ ...snapshot, secrets: [missingKey] }) },
      });
    }
    const restore = (withSecrets: boolean) =>
      restoreWebhookVersion({
        principal: broken.userPrincipal,
        webhookId: webhook.id,
        changeId: created?.id ?? "",
        withSecrets,
      });
    expect(await refusalOf(restore(true))).toMatchObject({
      code: "BAD_REQUEST",
      messages: [
        "That version's secrets are sealed with a key this server no longer has: restore it keeping today's secrets",
      ],
    });
    expect((await restore(false)).url).toBe(webhook.url);

    // …then the live secret.
    await getDb().webhookSecret.updateMany({ where: { webhookId: webhook.id }, data: { value: missingKey } });
    const logged = captureLog("error");
    const [brokenDelivery = ""] = await publishTo(broken, 1);
    const [healthyDelivery = ""] = await publishTo(healthy, 1);
    expect(await runDueDeliveries()).toBe(2);
    expect(await getDb().delivery.findUnique({ where: { id: healthyDelivery } })).toMatchObject({
      status: "success",
    });
    const [attempt] = await getDb().deliveryAttempt.findMany({ where: { deliveryId: brokenDelivery } });
    expect(attempt?.responseBody).toMatch(
      /^not sent: the webhook's signing secret is sealed with key 00000000/,
    );
    expect(await getDb().delivery.findUnique({ where: { id: brokenDelivery } })).toMatchObject({
      status: "pending",
    });
    await giveUp([brokenDelivery]);

    const list = await collection.GET(
      new Request("http://localhost/api/v2/public/webhooks/facility", {
        headers: { authorization: `Bearer ${broken.client.token}` },
      }),
      { params: Promise.resolve({}) },
    );
    expect(list.status).toBe(200);
    expect((await list.json()).data).toEqual([expect.objectContaining({ id: webhook.id, secrets: [] })]);
    expect(await countSealedUnderMissingKeys(getDb())).toBeGreaterThanOrEqual(3);
    // The operator's log names the key each time (the delivery, then the list).
    expect(logged.filter((line) => line.text.includes("sealed with key 00000000"))).toHaveLength(2);
    await getDb().webhook.delete({ where: { id: webhook.id } });
  });
});

describe("fan-out", () => {
  it("refuses a publish that would make more deliveries than allowed, whole and with the reason; others publish", async () => {
    const [crowded, other] = [await createTenant(1), await createTenant(1)];
    for (let i = 0; i < 6; i++) await hook(crowded, `/ok/crowd-${i}`);
    await hook(other, "/ok/uncrowded");
    const events = await getDb().event.count();
    const batch = (facilityId: string, n: number) =>
      Array.from({ length: n }, () => ({ eventType: "shift.created", facilityId, data: {} }));

    // 9 events × 6 webhooks = 54 deliveries, over the 50 allowed: nothing is stored.
    expect(
      await refusalOf(
        publishEvents([...batch(other.facilityIds[0] ?? "", 1), ...batch(crowded.facilityIds[0] ?? "", 9)]),
      ),
    ).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      messages: [
        expect.stringMatching(/^these events would make 55 deliveries, more than the 50 .*smaller batches$/),
      ],
    });
    expect(await getDb().event.count()).toBe(events);
    // 8 × 6 = 48 fits; the other tenant's events publish as ever.
    expect((await publishEvents(batch(crowded.facilityIds[0] ?? "", 8))).map((p) => p.deliveries)).toEqual(
      Array(8).fill(6),
    );
    expect((await publishEvents(batch(other.facilityIds[0] ?? "", 2))).map((p) => p.deliveries)).toEqual([
      1, 1,
    ]);
    await runDueDeliveries();
  });

  it("is bounded per admin: at most MAX_CLIENTS_PER_USER API clients, revoked ones not counted", async () => {
    const tenant = await createTenant(1); // one client already
    await addClient({ name: "Second", ownerEmail: tenant.user.email });
    const third = await addClient({ name: "Third", ownerEmail: tenant.user.email });
    expect(await refusalOf(addClient({ name: "Fourth", ownerEmail: tenant.user.email }))).toMatchObject({
      code: "BAD_REQUEST",
      messages: ["a user may have at most 3 API clients: revoke one you no longer use first"],
    });
    await revokeClient({ manager: "operator", clientId: third.clientId });
    expect(await addClient({ name: "Fourth", ownerEmail: tenant.user.email })).toMatchObject({
      clientId: expect.any(String),
    });
  });
});

describe("bulk replays", () => {
  it("share one budget round robin across tenants, then across each tenant's replays", () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}`, clientId: "A", perSecond: 1000 }));
    const shares = shareReplayBudget([...many, { id: "b", clientId: "B", perSecond: 1000 }], 10);
    expect(shares.get("b")).toBe(5);
    expect(many.map((r) => shares.get(r.id) ?? 0)).toEqual([...Array(5).fill(1), ...Array(15).fill(0)]);
    // A replay never goes past its own rate; what it leaves goes to the others.
    const capped = shareReplayBudget([...many.slice(0, 2), { id: "b", clientId: "B", perSecond: 2 }], 10);
    expect([capped.get("a0"), capped.get("a1"), capped.get("b")]).toEqual([4, 4, 2]);
  });

  it("step another tenant's replay in the same second as twenty long ones of one tenant", async () => {
    const [busy, other] = [await createTenant(1), await createTenant(1)];
    const busyHook = await hook(busy, "/ok/replays");
    const otherHook = await hook(other, "/ok/replay");
    const replay = (webhookId: string) =>
      getDb().deliveryReplay.create({
        data: {
          webhookId,
          requestedBy: "test",
          since: new Date(0),
          until: new Date(),
          perSecond: 1000,
          total: 1,
        },
      });
    for (let i = 0; i < 20; i++) await replay(busyHook.id);
    const theirs = await replay(otherHook.id);
    await runReplays(new Date(Date.now() + 1000));
    expect((await getDb().deliveryReplay.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe(
      "done",
    );
  });
});

describe("test sends", () => {
  it("are limited per webhook and per API client, each refusal saying when to try again", async () => {
    const tenant = await createTenant(1);
    const webhooks = [];
    for (const path of ["a", "b", "c", "d"]) webhooks.push((await hook(tenant, `/ok/test-${path}`)).id);
    const [a = "", b = "", c = "", d = ""] = webhooks;
    const test = (webhookId: string) => sendTestEvent({ principal: tenant.userPrincipal, webhookId });
    const tooMany = { code: "TOO_MANY_REQUESTS", retryAfterSeconds: expect.any(Number) };
    for (let i = 0; i < 3; i++) expect((await test(a)).status).toBe(200);
    expect(await refusalOf(test(a))).toMatchObject(tooMany); // the webhook's burst is spent
    for (const id of [b, b, b, c, c, c, d]) expect((await test(id)).status).toBe(200);
    expect(await refusalOf(test(d))).toMatchObject(tooMany); // the client's ten are spent
  });

  it("come at most TRPC_MAX_BATCH to a tRPC request", async () => {
    const batch = (n: number) =>
      trpcRoute.GET(
        new Request(
          `http://localhost/api/trpc/${Array(n).fill("webhooks.list").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`,
        ),
      );
    expect((await batch(TRPC_MAX_BATCH + 1)).status).toBe(400);
    expect((await batch(TRPC_MAX_BATCH)).status).not.toBe(400);
  });
});

describe("the NUL character from outside", () => {
  const BASE = "http://localhost/api/v2/public/webhooks/facility";
  const patch = async (tenant: Tenant, webhookId: string, body: unknown) => {
    const response = await item.PATCH(
      new Request(`${BASE}/${webhookId}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${tenant.client.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ webhookId }) },
    );
    return { status: response.status, body: await response.json() };
  };

  it("is refused with a 400 that says so, in a REST PATCH's facilities and URL, and changes nothing", async () => {
    const tenant = await createTenant(1);
    const webhook = await hook(tenant, "/ok/nul");
    for (const body of [{ facilities: ["P\u0000"] }, { url: "https://example.com/a\u0000b" }]) {
      const answer = await patch(tenant, webhook.id, body);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(/NUL|valid URL|secure URL/);
    }
    const stored = await getDb().webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(stored.version).toBe(webhook.version);
  });

  it("is refused in client names, and a sign-in with it is only a wrong sign-in", async () => {
    const tenant = await createTenant(1);
    const refusal = { code: "BAD_REQUEST", messages: [NUL_REFUSAL] };
    expect(await refusalOf(addClient({ name: "evil\u0000", ownerEmail: tenant.user.email }))).toMatchObject(
      refusal,
    );
    expect(
      await refusalOf(
        renameClient({ manager: "operator", clientId: tenant.client.clientId, name: "a\u0000b" }),
      ),
    ).toMatchObject(refusal);
    expect((await getDb().apiClient.findUniqueOrThrow({ where: { id: tenant.client.clientId } })).name).toBe(
      `Client ${tenant.user.email.slice(6, 14)}`,
    );
    expect(await signIn({ email: `${tenant.user.email}\u0000`, password: tenant.password })).toEqual({
      ok: false,
      error: "Invalid email or password",
    });
  });
});
