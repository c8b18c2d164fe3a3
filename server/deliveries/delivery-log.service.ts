/**
 * The delivery log as the public API shows it: one Log per delivery (its first attempt), later
 * attempts as `retries`; `success` when any attempt succeeded. Only the caller's deliveries.
 */
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { getEnv } from "../env";
import { accessibleFacilityIds } from "../webhooks/webhook.service";
import type { DeliveryLogQuery } from "./delivery.schemas";

type AttemptFields = {
  id: string;
  facilityId: string;
  eventType: string;
  requestPayload: unknown;
  responseStatus: number | null;
  responseBody: string;
  url: string;
};
export type DeliveryLog = AttemptFields & {
  retries: (AttemptFields & { retryAttempt: number })[];
  status: "success" | "failure";
};

export async function searchDeliveryLog({
  principal,
  query,
}: {
  principal: Principal;
  query: DeliveryLogQuery;
}): Promise<DeliveryLog[]> {
  const accessible = await accessibleFacilityIds(getDb(), principal.userId);
  const facilityIds = query.facilitiesIds.length
    ? query.facilitiesIds.filter((id) => accessible.includes(id))
    : accessible;
  const rows = await getDb().delivery.findMany({
    where: {
      ...(principal.clientId
        ? { clientId: principal.clientId }
        : { clientId: { in: await ownedClientIds(principal.userId) } }),
      attempts: { gt: 0 },
      // Only facilities the caller can access now: taking access away hides their deliveries too.
      facilityId: { in: facilityIds },
      ...(query.eventType && query.eventType !== "all" && { eventType: query.eventType }),
      createdAt: { gte: query.startDate, lte: query.endDate },
    },
    include: { event: { select: { body: true } }, attemptRows: { orderBy: { attempt: "asc" } } },
    orderBy: [{ createdAt: query.sortDirection === "ASC" ? "asc" : "desc" }, { id: "asc" }],
    take: query.limit,
    skip: query.offset,
  });
  return rows.map((delivery) => {
    const requestPayload = JSON.parse(delivery.event.body) as unknown;
    const fields = (attempt: (typeof delivery.attemptRows)[number]): AttemptFields => ({
      id: attempt.id,
      facilityId: delivery.facilityId,
      eventType: delivery.eventType,
      requestPayload,
      responseStatus: attempt.responseStatus,
      responseBody: attempt.responseBody,
      url: delivery.url,
    });
    const [first, ...later] = delivery.attemptRows;
    return {
      ...(first ? fields(first) : ({} as AttemptFields)),
      id: delivery.id,
      retries: later.map((attempt) => ({ ...fields(attempt), retryAttempt: attempt.attempt - 1 })),
      status: delivery.status === "success" ? "success" : "failure",
    };
  });
}

async function ownedClientIds(userId: string): Promise<string[]> {
  const clients = await getDb().apiClient.findMany({ where: { ownerId: userId }, select: { id: true } });
  return clients.map((c) => c.id);
}

/**
 * Deletes events (and their deliveries and attempts) older than LOG_RETENTION_DAYS, and webhook
 * history older than HISTORY_RETENTION_DAYS. Returns how many events went.
 */
export async function purgeExpiredLogs(now = Date.now()): Promise<number> {
  const { LOG_RETENTION_DAYS, HISTORY_RETENTION_DAYS } = getEnv();
  const before = (days: number) => ({ createdAt: { lt: new Date(now - days * 86_400_000) } });
  await getDb().webhookChange.deleteMany({ where: before(HISTORY_RETENTION_DAYS) });
  const { count } = await getDb().event.deleteMany({ where: before(LOG_RETENTION_DAYS) });
  return count;
}
