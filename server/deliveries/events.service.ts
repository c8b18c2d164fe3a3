/**
 * Publishing: an event and one pending delivery per matching webhook are stored in one
 * transaction (a transactional outbox), so no event is lost between "stored" and "queued";
 * workers send them afterwards.
 */
import { getDb } from "../db";
import { AppError, parseInput } from "../errors";
import type { WebhookEventName } from "../webhooks/webhook.schemas";
import { findWebhooksForEvent } from "../webhooks/webhook-fanout";
import { publishEventInput } from "./delivery.schemas";

export async function publishEvent(input: unknown): Promise<{ eventId: string; deliveries: number }> {
  const { eventType, facilityId, data } = parseInput(publishEventInput, input);
  const db = getDb();
  if (!(await db.facility.findUnique({ where: { id: facilityId }, select: { id: true } }))) {
    throw new AppError("BAD_REQUEST", `no such facility: ${facilityId}`);
  }
  const body = JSON.stringify({ data, eventType });
  return db.$transaction(async (tx) => {
    const event = await tx.event.create({ data: { eventType, facilityId, body }, select: { id: true } });
    const targets = await findWebhooksForEvent(tx, facilityId, eventType as WebhookEventName);
    const dueAtMs = BigInt(Date.now());
    await tx.delivery.createMany({
      data: targets.map((target) => ({ ...target, eventId: event.id, facilityId, eventType, dueAtMs })),
    });
    return { eventId: event.id, deliveries: targets.length };
  });
}
