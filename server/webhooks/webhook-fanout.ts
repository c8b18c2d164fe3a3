/**
 * Delivery fan-out: the webhooks that must receive event E of facility F — those of facility F
 * that list E or `all`. It runs once per published event, so it is written to walk two indexes
 * (WebhookFacility by facility, then WebhookEvent by its primary key) on both backends;
 * tests/scale.test.ts checks the plans at 100,000 webhooks.
 */
import type { Db } from "../db";
import { Prisma } from "../generated/sqlite/client";
import type { WebhookEventName } from "./webhook.schemas";

export const fanOutQuery = (facilityId: string, eventType: WebhookEventName) => Prisma.sql`
  SELECT w."id" AS "webhookId", w."clientId", w."url"
  FROM "WebhookFacility" f
  JOIN "Webhook" w ON w."id" = f."webhookId"
  WHERE f."facilityId" = ${facilityId}
    AND EXISTS (SELECT 1 FROM "WebhookEvent" e WHERE e."webhookId" = f."webhookId" AND e."event" IN (${eventType}, 'all'))`;

export type FanOutTarget = { webhookId: string; clientId: string; url: string };

/** Runs on the client or inside a transaction (publishing stores the deliveries in the same one). */
export async function findWebhooksForEvent(
  db: Pick<Db, "$queryRaw">,
  facilityId: string,
  eventType: WebhookEventName,
): Promise<FanOutTarget[]> {
  return db.$queryRaw<FanOutTarget[]>(fanOutQuery(facilityId, eventType));
}
