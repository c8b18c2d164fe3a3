/**
 * Webhook health over time: attempts per UTC hour (succeeded, failed) and their latencies as
 * bucket counts, kept in WebhookHourlyStats as outcomes are written. The charts read at most 168
 * rows per webhook, whatever its volume.
 */
import type { Db, Tx } from "../db";
import { Prisma } from "../generated/sqlite/client";

/** Each bucket's upper bound in ms (exclusive) and its column; the last takes everything slower. */
export const LATENCY_BUCKETS = [
  [100, "ms100"],
  [250, "ms250"],
  [500, "ms500"],
  [1_000, "ms1000"],
  [2_500, "ms2500"],
  [5_000, "ms5000"],
  [10_000, "ms10000"],
  [Number.POSITIVE_INFINITY, "msMore"],
] as const;
type BucketColumn = (typeof LATENCY_BUCKETS)[number][1];

const HOUR_MS = 3_600_000;
export const hourOf = (at: Date | number) => new Date(Math.floor(new Date(at).getTime() / HOUR_MS) * HOUR_MS);

type HourCounts = { webhookId: string; hour: Date; succeeded: number; failed: number } & Record<
  BucketColumn,
  number
>;

/** Adds attempts to their webhooks' hours: one statement for the whole batch. */
export async function addToHourlyStats(
  tx: Tx,
  attempts: { webhookId: string; at: Date; succeeded: boolean; latencyMs: number }[],
): Promise<void> {
  const rows = new Map<string, HourCounts>();
  for (const { webhookId, at, succeeded, latencyMs } of attempts) {
    const hour = hourOf(at);
    const key = `${webhookId} ${hour.getTime()}`;
    const row =
      rows.get(key) ??
      ({
        webhookId,
        hour,
        succeeded: 0,
        failed: 0,
        ...Object.fromEntries(LATENCY_BUCKETS.map(([, column]) => [column, 0])),
      } as HourCounts);
    if (succeeded) row.succeeded++;
    else row.failed++;
    const [, column] = LATENCY_BUCKETS.find(([under]) => latencyMs < under) ?? LATENCY_BUCKETS[7];
    row[column]++;
    rows.set(key, row);
  }
  if (rows.size === 0) return;
  const columns = ["succeeded", "failed", ...LATENCY_BUCKETS.map(([, column]) => column)] as const;
  const quoted = (name: string) => Prisma.raw(`"${name}"`);
  // The same upsert on both backends; one row per (webhook, hour) per statement, as PostgreSQL requires.
  await tx.$executeRaw`
    INSERT INTO "WebhookHourlyStats" ("webhookId", "hour", ${Prisma.join(columns.map(quoted))})
    VALUES ${Prisma.join(
      [...rows.values()].map(
        (row) =>
          Prisma.sql`(${row.webhookId}, ${row.hour}, ${Prisma.join(columns.map((column) => row[column]))})`,
      ),
    )}
    ON CONFLICT ("webhookId", "hour") DO UPDATE SET ${Prisma.join(
      columns.map(
        (column) =>
          Prisma.sql`${quoted(column)} = "WebhookHourlyStats".${quoted(column)} + excluded.${quoted(column)}`,
      ),
    )}`;
}

/** One hour of a webhook's chart: its attempts, and their latencies as counts per LATENCY_BUCKETS bucket. */
export type HealthHour = { hour: string; succeeded: number; failed: number; latencyCounts: number[] };

/**
 * The bucket bound under which `share` of these attempts fell (e.g. 0.95: p95 is under this many
 * ms); Infinity when it falls in the open-ended last bucket, null when there were no attempts.
 */
export function latencyUnder(hours: HealthHour[], share: number): number | null {
  const counts = LATENCY_BUCKETS.map((_, i) =>
    hours.reduce((sum, hour) => sum + (hour.latencyCounts[i] ?? 0), 0),
  );
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [i, count] of counts.entries()) {
    seen += count;
    if (seen >= share * total) return LATENCY_BUCKETS[i]?.[0] ?? null;
  }
  return null;
}

/** Every hour of the last `hours` (oldest first) for each webhook, hours without attempts as zeros. */
export async function readHourlyHealth(
  db: Db,
  webhookIds: string[],
  hours: number,
  now = Date.now(),
): Promise<Map<string, HealthHour[]>> {
  const first = hourOf(now - (hours - 1) * HOUR_MS);
  const rows = webhookIds.length
    ? await db.webhookHourlyStats.findMany({ where: { webhookId: { in: webhookIds }, hour: { gte: first } } })
    : [];
  const stored = new Map(rows.map((row) => [`${row.webhookId} ${row.hour.getTime()}`, row]));
  return new Map(
    webhookIds.map((webhookId) => [
      webhookId,
      Array.from({ length: hours }, (_, i) => {
        const hour = new Date(first.getTime() + i * HOUR_MS);
        const row = stored.get(`${webhookId} ${hour.getTime()}`);
        return {
          hour: hour.toISOString(),
          succeeded: row?.succeeded ?? 0,
          failed: row?.failed ?? 0,
          latencyCounts: LATENCY_BUCKETS.map(([, column]) => row?.[column] ?? 0),
        };
      }),
    ]),
  );
}
