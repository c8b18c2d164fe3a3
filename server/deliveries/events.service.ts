/**
 * Publishing: events and one pending delivery per matching webhook are stored in one transaction
 * (a transactional outbox), so no event is lost between "stored" and "queued"; workers send them
 * afterwards. A batch (up to PUBLISH_BATCH_MAX events) is one transaction too: per distinct facility
 * and event type, the deliveries are made inside the database (INSERT … SELECT from the fan-out),
 * and a batch that would make more than WEBHOOK_MAX_DELIVERIES_PER_PUBLISH is refused whole.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError, parseInput } from "../errors";
import { deliveryBody } from "../webhooks/event-catalogue";
import { countFanOut, insertDeliveries, insertEvents, publishOneEvent } from "../webhooks/webhook-fanout";
import type { WebhookEventName } from "../webhooks/webhook-rules";
import { publishEventInput, publishEventsInput } from "./delivery.schemas";
import { announceDue } from "./due-signal";

export type Published = { eventId: string; deliveries: number };

type EventInput = z.output<typeof publishEventInput>;

/** Deliveries per INSERT … SELECT, about: each statement stays short. */
const INSERT_CHUNK = 5000;

export async function publishEvent(input: unknown): Promise<Published> {
  const [published] = await publish([parseInput(publishEventInput, input)]);
  if (!published) throw new Error("publishing one event stored none");
  return published;
}

/** A batch, all or nothing: one refused event refuses the batch, each refusal naming its index. */
export async function publishEvents(inputs: unknown): Promise<Published[]> {
  const parsed = publishEventsInput.safeParse(inputs);
  if (!parsed.success) throw new AppError("BAD_REQUEST", batchRefusals(parsed.error.issues));
  return publish(parsed.data);
}

/** Indexes named per message before the rest are counted (a batch may repeat one mistake 500 times). */
const NAMED_INDEXES = 3;

/**
 * Each distinct mistake once, with the events that made it: `events[1]: …`, or
 * `events[0], events[4], events[9] and 197 more: …` — not the same sentence for every event.
 */
function batchRefusals(issues: { path: PropertyKey[]; message: string }[]): string[] {
  const indexesOf = new Map<string, number[]>();
  for (const { path, message } of issues) {
    const indexes = indexesOf.get(message) ?? [];
    if (typeof path[0] === "number" && !indexes.includes(path[0])) indexes.push(path[0]);
    indexesOf.set(message, indexes);
  }
  return [...indexesOf].map(([message, indexes]) => {
    if (indexes.length === 0) return message;
    const named = indexes
      .slice(0, NAMED_INDEXES)
      .map((index) => `events[${index}]`)
      .join(", ");
    const more = indexes.length - NAMED_INDEXES;
    return `${named}${more > 0 ? ` and ${more} more` : ""}: ${message}`;
  });
}

/** Refuses a publish before anything is written: an unknown facility, or too many deliveries. */
function refuseUnpublishable(unknown: Set<string>, total: number): void {
  if (unknown.size > 0)
    throw new AppError(
      "BAD_REQUEST",
      [...unknown].map((id) => `no such facility: ${id}`),
    );
  const { WEBHOOK_MAX_DELIVERIES_PER_PUBLISH: maxDeliveries } = getEnv();
  if (total > maxDeliveries) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `these events would make ${total} deliveries, more than the ${maxDeliveries} one publish may make (WEBHOOK_MAX_DELIVERIES_PER_PUBLISH): publish them in smaller batches`,
    );
  }
}

async function publish(events: EventInput[]): Promise<Published[]> {
  const db = getDb();
  const { provider, WEBHOOK_MAX_DELIVERIES_PER_PUBLISH: maxDeliveries } = getEnv();
  const rows = events.map(({ eventType, facilityId, data }) => ({
    id: randomUUID(),
    eventType: eventType as WebhookEventName,
    facilityId,
    body: deliveryBody(eventType, data),
  }));
  const dueAtMs = BigInt(Date.now());
  const createdAt = new Date();
  const [single] = rows;
  if (provider === "postgresql" && rows.length === 1 && single) {
    // One event on PostgreSQL, the common case: one statement checks it, stores it and its
    // deliveries (or, refused, stores nothing) — one round trip.
    const outcome = await publishOneEvent(db, { event: single, dueAtMs, createdAt, maxDeliveries });
    refuseUnpublishable(
      new Set(outcome.facilityExists ? [] : [single.facilityId]),
      outcome.facilityExists ? outcome.listeners : 0,
    );
    if (outcome.stored > 0) announceDue();
    return [{ eventId: single.id, deliveries: outcome.stored }];
  }
  // Events go to the same webhooks when they share facility and type: one audience each.
  const audiences = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.facilityId}\n${row.eventType}`;
    const group = audiences.get(key) ?? [];
    group.push(row);
    audiences.set(key, group);
  }
  // Asked before anything is written: every facility must exist, and a batch that would make more
  // deliveries than allowed is refused whole, before it can hold the database (SQLite's one
  // writer) for seconds.
  let total = 0;
  const listeners = new Map<string, number>();
  const unknown = new Set<string>();
  for (const [key, [first, ...rest]] of audiences) {
    if (!first) continue;
    const audience = await countFanOut(db, first.facilityId, first.eventType);
    if (!audience.facilityExists) unknown.add(first.facilityId);
    listeners.set(key, audience.listeners);
    total += audience.listeners * (rest.length + 1);
  }
  refuseUnpublishable(unknown, total);

  if (rows.length === 1 && single) {
    // One event on SQLite: two plain statements in one batch transaction (an interactive one, with
    // the ORM's insert compiled on every call, cost more than the statements themselves).
    const [, deliveries] = await db.$transaction([
      db.$executeRaw(insertEvents([single], createdAt)),
      db.$executeRaw(
        insertDeliveries({
          provider,
          eventIds: [single.id],
          facilityId: single.facilityId,
          eventType: single.eventType,
          dueAtMs,
          createdAt,
        }),
      ),
    ]);
    if (deliveries > 0) announceDue();
    return [{ eventId: single.id, deliveries }];
  }
  const delivered = new Map<string, number>();
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw(insertEvents(rows, createdAt));
      for (const [key, group] of audiences) {
        const [first] = group;
        if (!first) continue;
        // Chunks of events, so no statement writes more than about INSERT_CHUNK rows.
        const perChunk = Math.max(1, Math.floor(INSERT_CHUNK / Math.max(1, listeners.get(key) ?? 0)));
        for (let start = 0; start < group.length; start += perChunk) {
          const chunk = group.slice(start, start + perChunk);
          const stored = await tx.$executeRaw(
            insertDeliveries({
              provider,
              eventIds: chunk.map((row) => row.id),
              facilityId: first.facilityId,
              eventType: first.eventType,
              dueAtMs,
              createdAt,
            }),
          );
          delivered.set(key, Math.round(stored / chunk.length));
        }
      }
    },
    { maxWait: 15_000, timeout: 30_000 },
  );
  if ([...delivered.values()].some(Boolean)) announceDue();
  return rows.map((row) => ({
    eventId: row.id,
    deliveries: delivered.get(`${row.facilityId}\n${row.eventType}`) ?? 0,
  }));
}
