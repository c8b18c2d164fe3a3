/**
 * Delivery fan-out: the webhooks that must receive event E of facility F — those of facility F
 * that list E or `all`. It runs once per published event, so it is written to walk two indexes
 * (WebhookFacility by facility, then WebhookEvent by its primary key) on both backends;
 * tests/scale.test.ts checks the plans at 100,000 webhooks.
 */
import { getDb } from "../db";
import { Prisma } from "../generated/sqlite/client";
import type { WebhookEventName } from "./webhook.schemas";

export const fanOutQuery = (facilityId: string, eventType: WebhookEventName) => Prisma.sql`
  SELECT DISTINCT f."webhookId"
  FROM "WebhookFacility" f
  JOIN "WebhookEvent" e ON e."webhookId" = f."webhookId" AND e."event" IN (${eventType}, 'all')
  WHERE f."facilityId" = ${facilityId}`;

export async function findWebhookIdsForEvent(
  facilityId: string,
  eventType: WebhookEventName,
): Promise<string[]> {
  const rows = await getDb().$queryRaw<{ webhookId: string }[]>(fanOutQuery(facilityId, eventType));
  return rows.map((row) => row.webhookId);
}
