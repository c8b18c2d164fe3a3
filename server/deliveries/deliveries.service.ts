/**
 * Deliveries as the admin sees them on a webhook's edit page: newest first, a page at a time, each with every attempt,
 * "Resend" (a new attempt now, also after the final failure) and "Send test event".
 */
import { randomUUID } from "node:crypto";
import { accessibleFacilityIds } from "../access/access";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { AppError, tooManyRequests } from "../errors";
import { processSingleton } from "../process-singleton";
import { consumeOrRefuse, sharedLimiter } from "../rate-limits";
import { deliveryBody, EVENT_CATALOGUE } from "../webhooks/event-catalogue";
import { getWebhook } from "../webhooks/webhook.service";
import { type RequestOrigin, recordChange } from "../webhooks/webhook-history";
import { type PublishableEvent, withoutCredentials } from "../webhooks/webhook-rules";
import { ed25519KeysFor } from "../webhooks/webhook-signing.service";
import { MAX_ATTEMPTS_PER_DELIVERY, type WebhookDeliveriesInput } from "./delivery.schemas";
import { sendSigned } from "./send";

export async function listWebhookDeliveries({
  principal,
  input,
}: {
  principal: Principal;
  input: WebhookDeliveriesInput;
}) {
  await getWebhook({ principal, webhookId: input.webhookId }); // 404 unless the caller may see it
  const accessible = await accessibleFacilityIds(getDb(), principal.userId);
  const rows = await getDb().delivery.findMany({
    where: {
      webhookId: input.webhookId,
      eventType: input.eventType === "all" ? undefined : input.eventType,
      // Only facilities the caller can access now: taking access away hides their deliveries too.
      facilityId: { in: input.facilityId ? accessible.filter((id) => id === input.facilityId) : accessible },
      status: input.status,
      createdAt: input.since ? { gte: new Date(input.since) } : undefined,
    },
    include: { event: { select: { body: true } }, attemptRows: { orderBy: { attempt: "asc" } } },
    // Both descending: the (webhookId, createdAt, id) index then gives the order without a sort.
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor && { cursor: { id: input.cursor }, skip: 1 }),
  });
  const page = rows.slice(0, input.limit);
  const items = page.map((d) => ({
    id: d.id,
    eventType: d.eventType,
    facilityId: d.facilityId,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    payload: d.event.body,
    attempts: d.attemptRows.map((a) => ({
      url: a.url || d.url,
      attempt: a.attempt,
      responseStatus: a.responseStatus,
      responseBody: a.responseBody,
      latencyMs: a.latencyMs,
      signature: a.signature,
      createdAt: a.createdAt.toISOString(),
    })),
  }));
  return { items, nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}
export type WebhookDelivery = Awaited<ReturnType<typeof listWebhookDeliveries>>["items"][number];

export async function resendDelivery({
  principal,
  deliveryId,
  origin,
}: {
  principal: Principal;
  deliveryId: string;
  origin?: RequestOrigin;
}) {
  const db = getDb();
  const delivery = await db.delivery.findUnique({
    where: { id: deliveryId },
    select: { webhookId: true, facilityId: true },
  });
  if (!delivery || !(await accessibleFacilityIds(getDb(), principal.userId)).includes(delivery.facilityId)) {
    throw new AppError("NOT_FOUND", "Delivery not found");
  }
  const webhook = await getWebhook({ principal, webhookId: delivery.webhookId });
  const now = Date.now();
  await db.$transaction(async (tx) => {
    // Never while a worker holds it (it would be sent twice at once), never beyond the cap.
    const { count } = await tx.delivery.updateMany({
      where: {
        id: deliveryId,
        OR: [{ leaseUntilMs: null }, { leaseUntilMs: { lt: BigInt(now) } }],
        attempts: { lt: MAX_ATTEMPTS_PER_DELIVERY },
      },
      data: { status: "pending", dueAtMs: BigInt(now), leaseUntilMs: null, claimToken: null },
    });
    if (count === 0) {
      const stored = await tx.delivery.findUnique({ where: { id: deliveryId }, select: { attempts: true } });
      throw new AppError(
        "PRECONDITION_FAILED",
        stored?.attempts === MAX_ATTEMPTS_PER_DELIVERY
          ? `This delivery was attempted ${MAX_ATTEMPTS_PER_DELIVERY} times, the most one delivery may have.`
          : "This delivery is being sent right now: its outcome shows in a moment.",
      );
    }
    await tx.$executeRaw(
      recordChange({ principal, origin, action: "resent" }, webhook, webhook, [
        { field: "delivery", before: null, after: deliveryId },
      ]),
    );
  });
}

/**
 * Test sends, about one a second: per webhook in bursts of up to three, per API client (all its
 * webhooks together) of up to ten.
 */
const TEST_SEND_LIMITS = [
  { scope: "webhook", points: 3, duration: 3 },
  { scope: "client", points: 10, duration: 10 },
] as const;
/** Test sends this instance makes at once: each may wait WEBHOOK_TIMEOUT_MS for its answer. */
const TEST_SENDS_AT_ONCE = 20;

/**
 * Takes a test send's turn, or refuses it (429 with when to try again): a receiver that never
 * answers, or a script sending tests in a loop, holds this instance's connections only so far.
 */
async function admitTestSend(webhook: { id: string; clientId: string }): Promise<() => void> {
  for (const { scope, points, duration } of TEST_SEND_LIMITS) {
    const limiter = sharedLimiter(`test-sends-per-${scope}`, { points, durationSeconds: duration });
    await consumeOrRefuse(limiter, scope === "webhook" ? webhook.id : webhook.clientId);
  }
  const inFlight = processSingleton("test-sends-in-flight", () => ({ count: 0 }));
  if (inFlight.count >= TEST_SENDS_AT_ONCE) throw tooManyRequests(1000);
  inFlight.count++;
  return () => {
    inFlight.count--;
  };
}

/**
 * The catalogue's example of an event (by default the first one the webhook listens to), for the
 * webhook's first facility, signed and sent to its current URL and answered inline; not in the
 * delivery log, but in the webhook's history. Limited per webhook, per client and per instance.
 */
export async function sendTestEvent({
  principal,
  webhookId,
  eventType,
  origin,
}: {
  principal: Principal;
  webhookId: string;
  eventType?: PublishableEvent;
  origin?: RequestOrigin;
}) {
  const webhook = await getWebhook({ principal, webhookId });
  const event =
    eventType ?? webhook.events.find((e): e is PublishableEvent => e !== "all") ?? "shift.created";
  const { example } = EVENT_CATALOGUE[event];
  const data = { ...example, facilityId: webhook.facilities[0] ?? example.facilityId };
  const done = await admitTestSend(webhook);
  const { outcome } = await sendSigned({
    url: withoutCredentials(webhook.url), // a URL stored before credentials were refused
    body: deliveryBody(event, data),
    secrets: webhook.secrets,
    ed25519Keys: await ed25519KeysFor(webhook.id),
    deliveryId: `test-${randomUUID()}`,
  }).finally(done);
  await getDb().$executeRaw(
    recordChange({ principal, origin, action: "test-event" }, webhook, webhook, [
      { field: "answer", before: null, after: outcome.status ?? outcome.excerpt.slice(0, 200) },
    ]),
  );
  return outcome;
}
