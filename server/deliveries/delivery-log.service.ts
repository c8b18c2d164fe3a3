/**
 * The delivery log as the public API shows it: one Log per delivery (its first attempt), later
 * attempts as `retries`; `success` when any attempt succeeded. Only the caller's deliveries.
 */
import { accessibleFacilityIds, ownedClientIdsQuery } from "../access/access";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import type { DeliveryLogQuery } from "./delivery.schemas";
import { findDeliveryIds, inList, readDeliveries, searchConditions } from "./delivery-search";

type AttemptFields = {
  id: string;
  facilityId: string;
  eventType: string;
  requestPayload: unknown;
  responseStatus: number | null;
  responseBody: string;
  url: string;
};
/**
 * Retries shown per log entry: the latest ones. The contract repeats the request payload in each
 * retry (up to 100 kB), so an entry is bounded by this, not by how often it was resent.
 */
export const LOG_RETRIES_SHOWN = 10;

export type DeliveryLog = AttemptFields & {
  retries: (AttemptFields & { retryAttempt: number })[];
  /** How many retries there were in all; `retries` holds the latest LOG_RETRIES_SHOWN. */
  retryCount: number;
  status: "success" | "failure";
};

export async function searchDeliveryLog({
  principal,
  query,
}: {
  principal: Principal;
  query: DeliveryLogQuery;
}): Promise<DeliveryLog[]> {
  const db = getDb();
  const accessible = await accessibleFacilityIds(db, principal.userId);
  const facilityIds = query.facilitiesIds.length
    ? query.facilitiesIds.filter((id) => accessible.includes(id))
    : accessible;
  const conditions = [
    principal.clientId
      ? Prisma.sql`d."clientId" = ${principal.clientId}`
      : Prisma.sql`d."clientId" IN (${ownedClientIdsQuery(principal.userId)})`,
    Prisma.sql`d."attempts" > 0`,
    // Only facilities the caller can access now: taking access away hides their deliveries too.
    inList("facilityId", facilityIds),
    ...searchConditions(query),
  ];
  if (query.eventType && query.eventType !== "all")
    conditions.push(Prisma.sql`d."eventType" = ${query.eventType}`);
  if (query.startDate) conditions.push(Prisma.sql`d."createdAt" >= ${query.startDate}`);
  if (query.endDate) conditions.push(Prisma.sql`d."createdAt" <= ${query.endDate}`);
  const ids = await findDeliveryIds(db, conditions, {
    orderBy: Prisma.raw(`d."createdAt" ${query.sortDirection}, d."id" ASC`),
    limit: query.limit,
    offset: query.offset,
  });
  const rows = await readDeliveries(db, ids);
  return rows.map((delivery) => {
    const requestPayload = JSON.parse(delivery.event.body) as unknown;
    const fields = (attempt: (typeof delivery.attemptRows)[number]): AttemptFields => ({
      id: attempt.id,
      facilityId: delivery.facilityId,
      eventType: delivery.eventType,
      requestPayload,
      responseStatus: attempt.responseStatus,
      responseBody: attempt.responseBody,
      url: attempt.url || delivery.url,
    });
    const [first, ...later] = delivery.attemptRows;
    return {
      ...(first ? fields(first) : ({} as AttemptFields)),
      id: delivery.id,
      retries: later
        .slice(-LOG_RETRIES_SHOWN)
        .map((attempt) => ({ ...fields(attempt), retryAttempt: attempt.attempt - 1 })),
      retryCount: later.length,
      status: delivery.status === "success" ? "success" : "failure",
    };
  });
}

/** Rows deleted per statement: each batch is short, so API writes never wait long behind a purge. */
export const PURGE_BATCH = 500;

/** Deletes what `oldest` finds, a batch at a time, until it finds nothing; returns how many went. */
async function purgeInBatches(
  oldest: () => Promise<{ id: string }[]>,
  remove: (ids: string[]) => Promise<unknown>,
): Promise<number> {
  let purged = 0;
  for (;;) {
    const ids = (await oldest()).map((row) => row.id);
    if (ids.length === 0) return purged;
    await remove(ids);
    purged += ids.length;
  }
}

/**
 * Deletes events (with their deliveries and attempts) older than LOG_RETENTION_DAYS, and webhook
 * history older than HISTORY_RETENTION_DAYS, oldest first in batches that each walk an index.
 * An event with a delivery still pending stays, however old: it was acknowledged to its publisher
 * and must not vanish unsent (a backlog past the retention shows in /api/health and /metrics).
 * Returns how many events went.
 */
export async function purgeExpiredLogs(now = Date.now()): Promise<number> {
  const { LOG_RETENTION_DAYS, HISTORY_RETENTION_DAYS } = getEnv();
  const createdBefore = (days: number) => ({ createdAt: { lt: new Date(now - days * 86_400_000) } });
  const oldestFirst = { select: { id: true }, orderBy: { createdAt: "asc" as const }, take: PURGE_BATCH };
  const db = getDb();
  await purgeInBatches(
    () => db.webhookChange.findMany({ where: createdBefore(HISTORY_RETENTION_DAYS), ...oldestFirst }),
    (ids) => db.webhookChange.deleteMany({ where: { id: { in: ids } } }),
  );
  // Hours past the retention, and those of webhooks since deleted (a few rows per webhook).
  await db.webhookHourlyStats.deleteMany({
    where: { hour: { lt: new Date(now - LOG_RETENTION_DAYS * 86_400_000) } },
  });
  await db.$executeRaw`DELETE FROM "WebhookHourlyStats"
    WHERE "webhookId" NOT IN (SELECT "id" FROM "Webhook")`;
  const expired = { ...createdBefore(LOG_RETENTION_DAYS), deliveries: { none: { status: "pending" } } };
  return purgeInBatches(
    () => db.event.findMany({ where: expired, ...oldestFirst }),
    // Checked again as it is deleted: a Resend may have made one pending since it was found.
    (ids) => db.event.deleteMany({ where: { id: { in: ids }, ...expired } }),
  );
}
