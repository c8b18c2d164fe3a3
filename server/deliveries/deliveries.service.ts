/**
 * Deliveries as the admin sees them on a webhook's edit page: newest first, a page at a time, each with every attempt,
 * "Resend" (a new attempt now, also after the final failure) and "Send test event".
 */
import { randomUUID } from "node:crypto";
import { accessibleFacilityIds } from "../access/access";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { AppError, tooManyRequests } from "../errors";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import { processSingleton } from "../process-singleton";
import { consumeOrRefuse, sharedLimiter } from "../rate-limits";
import { deliveryBody, EVENT_CATALOGUE } from "../webhooks/event-catalogue";
import type { UrlTrialInput } from "../webhooks/webhook.schemas";
import { getWebhook } from "../webhooks/webhook.service";
import { type RequestOrigin, recordChange } from "../webhooks/webhook-history";
import { type PublishableEvent, withoutCredentials } from "../webhooks/webhook-rules";
import { ed25519KeysFor } from "../webhooks/webhook-signing.service";
import { MAX_ATTEMPTS_PER_DELIVERY, type WebhookDeliveriesInput } from "./delivery.schemas";
import { findDeliveryIds, inList, readDeliveries, searchConditions } from "./delivery-search";
import { sendSigned } from "./send";

export async function listWebhookDeliveries({
  principal,
  input,
}: {
  principal: Principal;
  input: WebhookDeliveriesInput;
}) {
  await getWebhook({ principal, webhookId: input.webhookId }); // 404 unless the caller may see it
  const db = getDb();
  const accessible = await accessibleFacilityIds(db, principal.userId);
  const conditions = [
    Prisma.sql`d."webhookId" = ${input.webhookId}`,
    // Only facilities the caller can access now: taking access away hides their deliveries too.
    inList("facilityId", input.facilityId ? accessible.filter((id) => id === input.facilityId) : accessible),
    ...searchConditions(input),
  ];
  if (input.eventType && input.eventType !== "all")
    conditions.push(Prisma.sql`d."eventType" = ${input.eventType}`);
  if (input.status) conditions.push(Prisma.sql`d."status" = ${input.status}`);
  if (input.since) conditions.push(Prisma.sql`d."createdAt" >= ${new Date(input.since)}`);
  if (input.cursor) {
    conditions.push(Prisma.sql`(d."createdAt", d."id") <
      (SELECT "createdAt", "id" FROM "Delivery" WHERE "id" = ${input.cursor})`);
  }
  const ids = await findDeliveryIds(db, conditions, {
    // Both descending: the (webhookId, createdAt, id) index then gives the order without a sort.
    orderBy: Prisma.raw(`d."createdAt" DESC, d."id" DESC`),
    limit: input.limit + 1,
  });
  const rows = await readDeliveries(db, ids);
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

/** A delivery the principal may see (one of a facility they can access now), or NOT_FOUND. */
export async function visibleDelivery(principal: Principal, deliveryId: string) {
  const delivery = await getDb().delivery.findUnique({
    where: { id: deliveryId },
    select: { id: true, webhookId: true, facilityId: true, eventId: true },
  });
  if (!delivery || !(await accessibleFacilityIds(getDb(), principal.userId)).includes(delivery.facilityId)) {
    throw new AppError("NOT_FOUND", "Delivery not found");
  }
  return delivery;
}

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
  const delivery = await visibleDelivery(principal, deliveryId);
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
/** Test sends and URL trials allowed per webhook, per API client and per admin (points per seconds). */
const TEST_SEND_LIMITS = {
  webhook: { points: 3, duration: 3 },
  client: { points: 10, duration: 10 },
  admin: { points: 5, duration: 10 },
} as const;
/** Test sends this instance makes at once: each may wait WEBHOOK_TIMEOUT_MS for its answer. */
const TEST_SENDS_AT_ONCE = 20;

/**
 * Takes a test send's turn, or refuses it (429 with when to try again): a receiver that never
 * answers, or a script sending tests in a loop, holds this instance's connections only so far.
 */
async function admitTestSend(
  keys: Partial<Record<keyof typeof TEST_SEND_LIMITS, string>>,
): Promise<() => void> {
  for (const [scope, key] of Object.entries(keys) as [keyof typeof TEST_SEND_LIMITS, string][]) {
    const { points, duration } = TEST_SEND_LIMITS[scope];
    await consumeOrRefuse(
      sharedLimiter(`test-sends-per-${scope}`, { points, durationSeconds: duration }),
      key,
    );
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
  const done = await admitTestSend({ webhook: webhook.id, client: webhook.clientId });
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

/** Headers a URL trial shows (a receiver may answer with many), each value cut to this length. */
const TRIAL_HEADERS = 50;
const TRIAL_HEADER_VALUE = 500;

export type UrlTrial = {
  status: number | null;
  latencyMs: number;
  /** The answer's headers, as received (the first TRIAL_HEADERS). */
  headers: [string, string][];
  /** The first 4 KB of the answer, or why there was none. */
  excerpt: string;
  bytes: number | null;
  /** What was sent: the headers (signatures included) and the body. */
  sent: { headers: Record<string, string>; body: string };
};

/**
 * "Send a test to this URL" on the new and edit pages: the catalogue's example of an event, signed
 * with the secrets as typed, POSTed to the URL as typed — through the same egress policy as every
 * delivery — and answered inline. Nothing is saved: no webhook, no delivery, no history. Limited per
 * admin and per instance, like a test send.
 */
export async function tryUrl({
  principal,
  input,
}: {
  principal: Principal;
  input: UrlTrialInput;
}): Promise<UrlTrial> {
  const eventType = input.eventType ?? "shift.created";
  const body = deliveryBody(eventType, EVENT_CATALOGUE[eventType].example);
  const done = await admitTestSend({ admin: principal.userId });
  const { outcome, sent } = await sendSigned({
    url: input.url,
    body,
    secrets: input.secrets,
    deliveryId: `trial-${randomUUID()}`,
  }).finally(done);
  logger.info(
    { userId: principal.userId, host: new URL(input.url).host, status: outcome.status },
    "URL trial",
  );
  return {
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    headers: Object.entries(outcome.headers ?? {})
      .slice(0, TRIAL_HEADERS)
      .map(([name, value]) => [name, [value ?? ""].flat().join(", ").slice(0, TRIAL_HEADER_VALUE)]),
    excerpt: outcome.excerpt,
    bytes: outcome.bytes ?? null,
    sent: { headers: sent, body },
  };
}
