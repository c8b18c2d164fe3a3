/**
 * Publishing: events and one pending delivery per matching webhook are stored in one transaction
 * (a transactional outbox), so no event is lost between "stored" and "queued"; workers send them
 * afterwards. A batch (up to PUBLISH_BATCH_MAX events) is one transaction too, with one fan-out
 * query per distinct facility and event type.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { getDb } from "../db";
import { AppError, parseInput } from "../errors";
import { deliveryBody } from "../webhooks/event-catalogue";
import { type FanOutTarget, findWebhooksForEvent } from "../webhooks/webhook-fanout";
import type { WebhookEventName } from "../webhooks/webhook-rules";
import { publishEventInput, publishEventsInput } from "./delivery.schemas";

export type Published = { eventId: string; deliveries: number };

type EventInput = z.output<typeof publishEventInput>;

/** Rows per INSERT: well inside SQLite's 32,766 bound parameters with a delivery's nine columns. */
const INSERT_CHUNK = 1000;

export async function publishEvent(input: unknown): Promise<Published> {
  const [published] = await publish([parseInput(publishEventInput, input)]);
  if (!published) throw new Error("publishing one event stored none");
  return published;
}

/** A batch, all or nothing: one refused event refuses the batch, each refusal naming its index. */
export async function publishEvents(inputs: unknown): Promise<Published[]> {
  const parsed = publishEventsInput.safeParse(inputs);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      parsed.error.issues.map((issue) =>
        typeof issue.path[0] === "number" ? `events[${issue.path[0]}]: ${issue.message}` : issue.message,
      ),
    );
  }
  return publish(parsed.data);
}

async function publish(events: EventInput[]): Promise<Published[]> {
  const db = getDb();
  const facilityIds = [...new Set(events.map((e) => e.facilityId))];
  const known = new Set(
    (await db.facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true } })).map(
      (f) => f.id,
    ),
  );
  const unknown = facilityIds.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new AppError(
      "BAD_REQUEST",
      unknown.map((id) => `no such facility: ${id}`),
    );

  const rows = events.map(({ eventType, facilityId, data }) => ({
    id: randomUUID(),
    eventType,
    facilityId,
    body: deliveryBody(eventType, data),
  }));
  const audience = (row: { facilityId: string; eventType: string }) => `${row.facilityId}\n${row.eventType}`;
  return db.$transaction(
    async (tx) => {
      await tx.event.createMany({ data: rows });
      const targets = new Map<string, FanOutTarget[]>();
      for (const row of rows) {
        if (targets.has(audience(row))) continue;
        targets.set(
          audience(row),
          await findWebhooksForEvent(tx, row.facilityId, row.eventType as WebhookEventName),
        );
      }
      const dueAtMs = BigInt(Date.now());
      const deliveries = rows.flatMap((row) =>
        (targets.get(audience(row)) ?? []).map((target) => ({
          ...target,
          eventId: row.id,
          facilityId: row.facilityId,
          eventType: row.eventType,
          dueAtMs,
        })),
      );
      for (let start = 0; start < deliveries.length; start += INSERT_CHUNK) {
        await tx.delivery.createMany({ data: deliveries.slice(start, start + INSERT_CHUNK) });
      }
      return rows.map((row) => ({ eventId: row.id, deliveries: targets.get(audience(row))?.length ?? 0 }));
    },
    { maxWait: 15_000, timeout: 30_000 },
  );
}
