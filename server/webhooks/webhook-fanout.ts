/**
 * Delivery fan-out: the webhooks that must receive event E of facility F — those of facility F
 * that list E or `all`, whose client is not revoked and whose owner is not disabled and can access
 * F now (access is read here, on every event, so taking it away stops the flow at once). It runs
 * once per published event, so it is written to walk indexes (WebhookFacility by facility, then
 * primary keys) on both backends; tests/scale.test.ts checks the plans at 100,000 webhooks.
 */
import type { Db } from "../db";
import { Prisma } from "../generated/sqlite/client";
import { type WebhookEventName, withoutCredentials } from "./webhook-rules";

/**
 * The webhook whose id is `webhookId` (a column) receives `eventType`: it lists that event or
 * `all`. The fan-out and the admin list's event filter both ask this.
 */
export const receivesEvent = (webhookId: Prisma.Sql, eventType: WebhookEventName) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "WebhookEvent" e WHERE e."webhookId" = ${webhookId} AND e."event" IN (${eventType}, 'all'))`;

export const fanOutQuery = (facilityId: string, eventType: WebhookEventName) => Prisma.sql`
  SELECT w."id" AS "webhookId", w."clientId", w."url"
  FROM "WebhookFacility" f
  JOIN "Webhook" w ON w."id" = f."webhookId" AND w."disabledAt" IS NULL
  JOIN "ApiClient" c ON c."id" = w."clientId" AND c."revokedAt" IS NULL
  JOIN "User" u ON u."id" = c."ownerId" AND u."disabledAt" IS NULL
  JOIN "FacilityAccess" a ON a."userId" = c."ownerId" AND a."facilityId" = f."facilityId"
  WHERE f."facilityId" = ${facilityId}
    AND ${receivesEvent(Prisma.raw(`f."webhookId"`), eventType)}`;

export type FanOutTarget = { webhookId: string; clientId: string; url: string };

/** Runs on the client or inside a transaction (publishing stores the deliveries in the same one). */
export async function findWebhooksForEvent(
  db: Pick<Db, "$queryRaw">,
  facilityId: string,
  eventType: WebhookEventName,
): Promise<FanOutTarget[]> {
  const targets = await db.$queryRaw<FanOutTarget[]>(fanOutQuery(facilityId, eventType));
  // The URL is copied into the delivery log: credentials in it (refused on save since) never are.
  return targets.map((target) => ({ ...target, url: withoutCredentials(target.url) }));
}
