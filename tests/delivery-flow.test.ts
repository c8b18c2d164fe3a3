/**
 * Deliveries at scale against real HTTPS receivers: the worker's pool (a receiver that never
 * answers holds only its own host's slots), fenced claims, endpoint health with auto-disable,
 * retry jitter and Retry-After, bounded log entries, and bulk replay (service and CLI).
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "1s,2s,3s";
process.env.WEBHOOK_CONCURRENCY = "6";
process.env.WEBHOOK_PER_HOST_CONCURRENCY = "2";
process.env.WEBHOOK_DISABLE_AFTER = "1h";
process.env.WEBHOOK_RETRY_AFTER_MAX = "1h";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { listWebhookDeliveries, resendDelivery } from "../server/deliveries/deliveries.service";
import { MAX_ATTEMPTS_PER_DELIVERY } from "../server/deliveries/delivery.schemas";
import { searchDeliveryLog } from "../server/deliveries/delivery-log.service";
import { publishEvent } from "../server/deliveries/events.service";
import {
  cancelReplay,
  listReplays,
  previewReplay,
  runReplays,
  startReplay,
} from "../server/deliveries/replays.service";
import { nextDueAt, runDueDeliveries, startWorker } from "../server/deliveries/worker";
import { getEnv } from "../server/env";
import {
  createWebhook,
  deleteWebhook,
  getWebhookWithHealth,
  listWebhookHistory,
  listWebhooksPage,
  reenableWebhook,
  updateWebhook,
} from "../server/webhooks/webhook.service";
import type { WebhookEventName } from "../server/webhooks/webhook-rules";
import { adminWithEnv, createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let receiver: Receiver;
let tarpit: Receiver;

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  // Another port is another host for the per-host limit.
  tarpit = await startReceiver(inject("receiverTls"));
});
afterAll(async () => {
  tarpit.releaseHeld();
  await Promise.all([receiver.close(), tarpit.close()]);
});

const hook = (tenant: Tenant, url: string, facilities: string[], events: WebhookEventName[] = ["all"]) =>
  createWebhook({ principal: tenant.clientPrincipal, input: { url, events, facilities } });

const publish = (facilityId: string, eventType: WebhookEventName = "shift.created", data = {}) =>
  publishEvent({ eventType, facilityId, data });

const deliveryOf = async (eventId: string) =>
  getDb().delivery.findFirstOrThrow({ where: { eventId }, include: { attemptRows: true } });

const requestsFor = (r: Receiver, deliveryId: string) =>
  r.received.filter((request) => request.headers["webhook-delivery-id"] === deliveryId);

/** The newest entry of a webhook's change history, as its admin sees it. */
const latestChange = async (tenant: Tenant, webhookId: string) =>
  (await listWebhookHistory({ principal: tenant.userPrincipal, webhookId, limit: 1, offset: 0 }))[0];

const healthOf = async (args: Parameters<typeof getWebhookWithHealth>[0]) =>
  (await getWebhookWithHealth(args)).health;

/** A fresh tenant's webhook at `path`, one event published to it and one pass made at `now`. */
async function attemptedOnce(path: string) {
  const tenant = await createTenant(1);
  const webhook = await hook(tenant, receiver.url(path), tenant.facilityIds);
  const { eventId } = await publish(tenant.facilityIds[0] ?? "");
  const now = Date.now();
  await runDueDeliveries({ now });
  return { tenant, webhook, now, delivery: await deliveryOf(eventId) };
}

const leaseMs = () => getEnv().WEBHOOK_TIMEOUT_MS * 2 + 5_000;

describe("the worker's pool", () => {
  it("keeps a healthy receiver's deliveries flowing while another host never answers", async () => {
    const tenant = await createTenant(2);
    const [slowFacility = "", healthyFacility = ""] = tenant.facilityIds;
    const slow = await hook(tenant, tarpit.url("/hold/pool"), [slowFacility]);
    await hook(tenant, receiver.url("/pool"), [healthyFacility]);
    // The slow host's deliveries come first, more of them than the whole pool.
    for (let i = 0; i < 10; i++) await publish(slowFacility);

    const worker = startWorker({ idleMs: 50 });
    const healthy: string[] = [];
    for (let i = 0; i < 12; i++)
      healthy.push((await deliveryOf((await publish(healthyFacility)).eventId)).id);
    await expect
      .poll(() => healthy.filter((id) => requestsFor(receiver, id).length > 0).length, { timeout: 5_000 })
      .toBe(12);
    // The tarpit holds its own two slots and no more.
    expect(tarpit.received.filter((r) => r.path === "/hold/pool")).toHaveLength(2);

    await deleteWebhook({ principal: tenant.clientPrincipal, webhookId: slow.id });
    tarpit.releaseHeld();
    await worker.stop();
  }, 30_000);
});

describe("fenced claims", () => {
  it("records an attempt only for the worker that still holds the claim", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, tarpit.url("/hold/fence"), tenant.facilityIds);
    const { eventId } = await publish(tenant.facilityIds[0] ?? "");
    const { id } = await deliveryOf(eventId);

    const now = Date.now();
    const first = runDueDeliveries({ now });
    await expect.poll(() => requestsFor(tarpit, id).length).toBe(1);
    // The first worker's lease runs out (say it stalled); a second worker takes the delivery over.
    const second = runDueDeliveries({ now: now + leaseMs() + 1 });
    await expect.poll(() => requestsFor(tarpit, id).length).toBe(2);
    tarpit.releaseHeld();
    await Promise.all([first, second]);

    const delivery = await deliveryOf(eventId);
    expect([delivery.status, delivery.attempts, delivery.attemptRows.length]).toEqual(["success", 1, 1]);
  });

  it("refuses Resend while a worker is sending, so no delivery is sent twice at once", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, tarpit.url("/hold/resend"), tenant.facilityIds);
    const { eventId } = await publish(tenant.facilityIds[0] ?? "");
    const { id } = await deliveryOf(eventId);

    const sending = runDueDeliveries({ now: Date.now() });
    await expect.poll(() => requestsFor(tarpit, id).length).toBe(1);
    await expect(resendDelivery({ principal: tenant.userPrincipal, deliveryId: id })).rejects.toThrow(
      /being sent right now/,
    );
    expect(await runDueDeliveries({ now: Date.now() })).toBe(0);
    tarpit.releaseHeld();
    await sending;
    expect(requestsFor(tarpit, id)).toHaveLength(1);
    expect((await deliveryOf(eventId)).status).toBe("success");
  });

  it("keeps attempt numbers unique per delivery", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, receiver.url("/unique"), tenant.facilityIds);
    const { eventId } = await publish(tenant.facilityIds[0] ?? "");
    await runDueDeliveries();
    const delivery = await deliveryOf(eventId);
    await expect(
      getDb().deliveryAttempt.create({
        data: { deliveryId: delivery.id, attempt: 1, signature: "", responseBody: "", latencyMs: 0 },
      }),
    ).rejects.toThrow();
  });
});

describe("retries", () => {
  it("come up to 20% later than scheduled, never earlier, and end after the schedule", () => {
    const failed = { status: 500, excerpt: "", latencyMs: 1 };
    expect(nextDueAt(1, failed, 0, 0)).toBe(1_000);
    expect(nextDueAt(1, failed, 0, 0.999)).toBe(1_200);
    expect(nextDueAt(2, failed, 0, 0.5)).toBe(2_200);
    expect(nextDueAt(4, failed, 0, 0)).toBeNull();
  });

  it("honour a receiver's Retry-After, up to WEBHOOK_RETRY_AFTER_MAX", async () => {
    const busy = { status: 503, excerpt: "", latencyMs: 1 };
    expect(nextDueAt(1, { ...busy, retryAfterMs: 120_000 }, 0, 0)).toBe(120_000);
    expect(nextDueAt(1, { ...busy, retryAfterMs: 86_400_000 }, 0, 0)).toBe(3_600_000);

    const { now, delivery } = await attemptedOnce("/busy");
    expect(delivery.status).toBe("pending");
    expect(Number(delivery.dueAtMs)).toBe(now + 120_000);
  });
});

describe("endpoint health", () => {
  it("disables a webhook failing for WEBHOOK_DISABLE_AFTER, with the reason, until re-enabled", async () => {
    const tenant = await createTenant(1);
    const facility = tenant.facilityIds[0] ?? "";
    const webhook = await hook(tenant, receiver.url("/fail/health"), [facility], ["shift.created"]);
    await publish(facility);
    const t0 = Date.now();
    await runDueDeliveries({ now: t0 });
    expect(await healthOf({ principal: tenant.userPrincipal, webhookId: webhook.id })).toMatchObject({
      failingSince: new Date(t0).toISOString(),
      failureStreak: 1,
      disabledAt: null,
    });

    // Still failing an hour later: the retry of the first event and a new one both fail.
    const { eventId: second } = await publish(facility);
    await runDueDeliveries({ now: t0 + 3_600_000 });
    const health = await healthOf({ principal: tenant.userPrincipal, webhookId: webhook.id });
    expect(health).toMatchObject({ failureStreak: 3, disabledAt: new Date(t0 + 3_600_000).toISOString() });
    expect(health.disabledReason).toMatch(/every attempt since .* failed \(3 attempts; the last: 500\)/);
    const [listed] = (await listWebhooksPage({ principal: tenant.userPrincipal, input: { limit: 10 } }))
      .items;
    expect(listed?.health.disabledAt).toBe(health.disabledAt);
    const disabled = await latestChange(tenant, webhook.id);
    expect([disabled?.action, disabled?.actor]).toEqual(["disabled", "delivery worker"]);

    // Disabled: new events make no delivery; queued ones end without being sent.
    expect((await publish(facility)).deliveries).toBe(0);
    const sentBefore = receiver.received.length;
    await runDueDeliveries({ now: t0 + 3_700_000 });
    expect(receiver.received.length).toBe(sentBefore);
    expect((await deliveryOf(second)).attemptRows.map((a) => a.responseBody)).toContain(
      "not sent: the webhook is disabled",
    );

    // Re-enabled (recorded), with its endpoint fixed: delivered again, and healthy.
    await reenableWebhook({ principal: tenant.userPrincipal, webhookId: webhook.id });
    const reenabled = await latestChange(tenant, webhook.id);
    expect(reenabled?.action).toBe("re-enabled");
    await updateWebhook({
      principal: tenant.clientPrincipal,
      webhookId: webhook.id,
      input: { url: receiver.url("/health-fixed") },
    });
    expect((await publish(facility)).deliveries).toBe(1);
    await runDueDeliveries({ now: t0 + 3_800_000 });
    expect(await healthOf({ principal: tenant.userPrincipal, webhookId: webhook.id })).toMatchObject({
      failingSince: null,
      failureStreak: 0,
      disabledAt: null,
      lastSuccessAt: expect.any(String),
    });
  });
});

describe("answers judged as Standard Webhooks says", () => {
  it("counts a redirect as a failure, retried on schedule, saying where it pointed and what to do; never follows it", async () => {
    const { tenant, webhook, now, delivery } = await attemptedOnce("/moved");
    expect(delivery.status).toBe("pending");
    expect(Number(delivery.dueAtMs)).toBeGreaterThanOrEqual(now + 1_000);
    const [attempt] = delivery.attemptRows;
    expect(attempt?.responseStatus).toBe(301);
    expect(attempt?.responseBody).toBe(
      "redirected to https://example.com/new-home — not followed: update the webhook's URL\n\nmoved",
    );
    expect(await healthOf({ principal: tenant.userPrincipal, webhookId: webhook.id })).toMatchObject({
      failureStreak: 1,
      lastSuccessAt: null,
    });
    // Shown as a failure in the contract's log too, not as delivered.
    const [logged] = await searchDeliveryLog({
      principal: tenant.clientPrincipal,
      query: { facilitiesIds: [], limit: 10, offset: 0, sortDirection: "DESC" },
    });
    expect([logged?.responseStatus, logged?.status]).toEqual([301, "failure"]);
  });

  it("disables the webhook at once on 410 Gone, with the reason and a history entry; the delivery is not retried", async () => {
    const tenant = await createTenant(1);
    const facility = tenant.facilityIds[0] ?? "";
    const webhook = await hook(tenant, receiver.url("/gone"), [facility]);
    const { eventId } = await publish(facility);
    const { eventId: queued } = await publish(facility);
    const now = Date.now();
    await runDueDeliveries({ now });
    const health = await healthOf({ principal: tenant.userPrincipal, webhookId: webhook.id });
    expect(health.disabledAt).toBe(new Date(now).toISOString());
    expect(health.disabledReason).toMatch(
      /^the receiver answered 410 Gone at .*: it wants no more deliveries/,
    );
    const disabled = await latestChange(tenant, webhook.id);
    expect([disabled?.action, disabled?.actor]).toEqual(["disabled", "delivery worker"]);
    for (const id of [eventId, queued]) {
      expect(await deliveryOf(id)).toMatchObject({ status: "failure", dueAtMs: null });
    }
    // Nothing more is sent to it, now or at the retries' times.
    const sentToIt = () => receiver.received.filter((r) => r.path === "/gone").length;
    const sentBefore = sentToIt();
    expect((await publish(facility)).deliveries).toBe(0);
    await runDueDeliveries({ now: now + 86_400_000 });
    expect(sentToIt()).toBe(sentBefore);
  });

  it("backs off as a gateway's 502 asks (Retry-After), like 429 and 503", async () => {
    const { now, delivery } = await attemptedOnce("/gateway");
    expect(delivery.status).toBe("pending");
    expect(Number(delivery.dueAtMs)).toBe(now + 90_000);
  });
});

describe("bounded attempts", () => {
  it("caps a delivery's attempts and shows the latest retries in the log with their count", async () => {
    const tenant = await createTenant(1);
    await hook(tenant, receiver.url("/fail/bounded"), tenant.facilityIds);
    const { eventId } = await publish(tenant.facilityIds[0] ?? "");
    const { id } = await deliveryOf(eventId);
    let now = Date.now();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_DELIVERY; attempt++) {
      if (attempt > 1) await resendDelivery({ principal: tenant.userPrincipal, deliveryId: id });
      now += 1;
      await runDueDeliveries({ now: Math.max(now, Date.now()) });
    }
    await expect(resendDelivery({ principal: tenant.userPrincipal, deliveryId: id })).rejects.toThrow(
      `attempted ${MAX_ATTEMPTS_PER_DELIVERY} times`,
    );

    const [entry] = await searchDeliveryLog({
      principal: tenant.clientPrincipal,
      query: { facilitiesIds: [], limit: 10, offset: 0, sortDirection: "DESC" },
    });
    expect(entry?.retryCount).toBe(MAX_ATTEMPTS_PER_DELIVERY - 1);
    expect(entry?.retries.map((r) => r.retryAttempt)).toEqual(
      Array.from({ length: 10 }, (_, i) => MAX_ATTEMPTS_PER_DELIVERY - 10 + i),
    );
  });
});

describe("bulk replay", () => {
  async function failedDeliveries(tenant: Tenant, count: number) {
    const webhook = await hook(tenant, receiver.url("/fail/replay"), tenant.facilityIds);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const eventType = i === 0 ? "shift.cancelled" : "shift.created";
      ids.push((await deliveryOf((await publish(tenant.facilityIds[0] ?? "", eventType)).eventId)).id);
    }
    const t0 = Date.now();
    // Each retry comes at most 20% after its scheduled delay (1 s, 2 s, 3 s).
    for (const at of [0, 1_200, 3_600, 7_200]) await runDueDeliveries({ now: t0 + at });
    return { webhook, ids };
  }

  it("counts, then resends a webhook's failed deliveries at the chosen rate, as new attempts of the same ids", async () => {
    const tenant = await createTenant(1);
    const since = new Date(Date.now() - 60_000).toISOString();
    const { webhook, ids } = await failedDeliveries(tenant, 3);
    const actor = { principal: tenant.userPrincipal };
    const filter = { webhookId: webhook.id, since };
    expect(await previewReplay(actor, filter)).toEqual({ count: 3 });
    expect(await previewReplay(actor, { ...filter, eventType: "shift.cancelled" })).toEqual({ count: 1 });
    // Someone else's webhook is not found; a bad filter says what is wrong.
    const stranger = await createTenant(1);
    await expect(previewReplay({ principal: stranger.userPrincipal }, filter)).rejects.toThrow(
      "Webhook not found",
    );
    await expect(previewReplay(actor, { ...filter, since: "yesterday" })).rejects.toThrow(
      "since must be an ISO 8601 date and time",
    );

    // The endpoint is fixed, then the replay runs: two a second.
    await updateWebhook({
      principal: tenant.clientPrincipal,
      webhookId: webhook.id,
      input: { url: receiver.url("/replayed") },
    });
    const replay = await startReplay(actor, { ...filter, perSecond: 2 });
    const now = new Date();
    await runReplays(now);
    await runReplays(now); // the next step is not due yet
    expect(await getDb().delivery.count({ where: { id: { in: ids }, status: "pending" } })).toBe(2);
    await runReplays(new Date(now.getTime() + 1_000));
    expect((await listReplays({ principal: tenant.userPrincipal, webhookId: webhook.id }))[0]).toMatchObject({
      id: replay.id,
      status: "done",
      total: 3,
      handled: 3,
      replayed: 3,
    });
    await runDueDeliveries({ now: now.getTime() + 1_000 });
    for (const id of ids) {
      expect(requestsFor(receiver, id).map((r) => r.path)).toEqual([
        ...Array(4).fill("/fail/replay"),
        "/replayed",
      ]);
      const delivery = await getDb().delivery.findUniqueOrThrow({ where: { id } });
      expect([delivery.status, delivery.attempts]).toEqual(["success", 5]);
    }
    const history = await latestChange(tenant, webhook.id);
    expect(history?.action).toBe("replay-started");
    const tab = await listWebhookDeliveries({
      principal: tenant.userPrincipal,
      input: { webhookId: webhook.id, limit: 50 },
    });
    expect(tab.items.every((d) => d.status === "success")).toBe(true);
  });

  it("stops a cancelled replay", async () => {
    const tenant = await createTenant(1);
    const since = new Date(Date.now() - 60_000).toISOString();
    const { webhook } = await failedDeliveries(tenant, 2);
    const replay = await startReplay({ principal: tenant.userPrincipal }, { webhookId: webhook.id, since });
    await cancelReplay({ principal: tenant.userPrincipal, replayId: replay.id });
    await runReplays(new Date(Date.now() + 1_000));
    expect(await getDb().delivery.count({ where: { webhookId: webhook.id, status: "failure" } })).toBe(2);
    expect((await listReplays({ principal: tenant.userPrincipal, webhookId: webhook.id }))[0]?.status).toBe(
      "cancelled",
    );
  });

  it("runs from the operator's CLI, with a dry run and clear refusals", async () => {
    const tenant = await createTenant(1);
    const since = new Date(Date.now() - 60_000).toISOString();
    const { webhook } = await failedDeliveries(tenant, 2);
    const replay = (...args: string[]) => adminWithEnv({}, "deliveries", "replay", ...args);

    const dry = await replay("--webhook", webhook.id, "--since", since, "--dry-run");
    expect([dry.code, dry.stdout.trim()]).toEqual([
      0,
      "2 failed deliveries match; nothing replayed (--dry-run)",
    ]);
    expect(await getDb().deliveryReplay.count({ where: { webhookId: webhook.id } })).toBe(0);

    const bad = await replay("--webhook", webhook.id, "--since", "last week");
    expect([bad.code, bad.stderr.trim()]).toEqual([1, "error: since must be an ISO 8601 date and time"]);
    const unknown = await replay("--webhook", "00000000-0000-4000-8000-000000000000", "--since", since);
    expect(unknown.stderr).toContain("no webhook with id 00000000-0000-4000-8000-000000000000");

    const started = await replay(
      "--webhook",
      webhook.id,
      "--since",
      since,
      "--event",
      "shift.cancelled",
      "--rate",
      "5",
    );
    expect([started.code, started.stdout]).toEqual([
      0,
      expect.stringMatching(/^Replaying 1 failed deliveries at 5\/s/),
    ]);
  });
});
