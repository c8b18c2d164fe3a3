/**
 * Finding deliveries by what their attempts and payloads hold — for the log API, the Deliveries tab
 * and erasure. Prisma cannot ask "does this JSON field of a text column hold this value", so the
 * ids come from one SQL query and the rows from Prisma by those ids.
 */
import type { Db } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import type { DeliverySearch, PayloadMatch } from "./delivery.schemas";

/**
 * The JSON text `body` holds `value` at `path`, compared as text (a number matches its digits, a
 * boolean `true`/`false`). Path segments are letters, digits and `_` (delivery.schemas.ts), and are
 * passed as parameters either way.
 */
export function payloadHolds(body: Prisma.Sql, { path, value }: PayloadMatch): Prisma.Sql {
  const postgres = getEnv().provider === "postgresql";
  // Parsing JSON is most of a search's cost: a payload that does not even contain the value's text
  // is passed over first (a plain substring search). Only for values JSON writes as they are.
  const contains = writtenAsIs(value)
    ? Prisma.sql`${Prisma.raw(postgres ? "strpos" : "instr")}(${body}, ${value}) > 0 AND `
    : Prisma.empty;
  if (postgres) return Prisma.sql`${contains}(${body}::json #>> ${path}::text[]) = ${value}`;
  const jsonPath = `$${path.map((key) => `."${key}"`).join("")}`;
  // SQLite's json_extract answers JSON's true and false as 1 and 0; PostgreSQL (and JSON) write them out.
  return Prisma.sql`${contains}(CASE json_type(${body}, ${jsonPath})
    WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
    ELSE CAST(json_extract(${body}, ${jsonPath}) AS TEXT) END) = ${value}`;
}

/** Text JSON.stringify writes unchanged: no quote, backslash or control character to escape. */
const writtenAsIs = (value: string) => JSON.stringify(value) === `"${value}"`;

/** Conditions on delivery `d` for a search: one of its attempts answered so (and so slowly), its payload. */
export function searchConditions({ responseStatus, minLatencyMs, payload }: DeliverySearch): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const attempt: Prisma.Sql[] = [];
  if (responseStatus === "none") attempt.push(Prisma.sql`a."responseStatus" IS NULL`);
  else if (responseStatus) {
    attempt.push(Prisma.sql`a."responseStatus" BETWEEN ${responseStatus.min} AND ${responseStatus.max}`);
  }
  if (minLatencyMs !== undefined) attempt.push(Prisma.sql`a."latencyMs" >= ${minLatencyMs}`);
  if (attempt.length) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "DeliveryAttempt" a
      WHERE a."deliveryId" = d."id" AND ${Prisma.join(attempt, " AND ")})`);
  }
  if (payload) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "Event" e
      WHERE e."id" = d."eventId" AND ${payloadHolds(Prisma.raw(`e."body"`), payload)})`);
  }
  return conditions;
}

/** The ids of deliveries `d` meeting every condition, in the given order, one page of them. */
export async function findDeliveryIds(
  db: Db,
  conditions: Prisma.Sql[],
  { orderBy, limit, offset = 0 }: { orderBy: Prisma.Sql; limit: number; offset?: number },
): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT d."id" FROM "Delivery" d WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${orderBy} LIMIT ${limit} OFFSET ${offset}`;
  return rows.map((row) => row.id);
}

/** The deliveries with these ids, with their payloads and attempts, in the ids' order. */
export async function readDeliveries(db: Db, ids: string[]) {
  const rows = await db.delivery.findMany({
    where: { id: { in: ids } },
    include: { event: { select: { body: true } }, attemptRows: { orderBy: { attempt: "asc" } } },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** `d."column" IN (…)`, or a condition no row meets for an empty list (SQL has no empty `IN ()`). */
export const inList = (column: string, values: string[]): Prisma.Sql =>
  values.length ? Prisma.sql`${Prisma.raw(`d."${column}"`)} IN (${Prisma.join(values)})` : Prisma.sql`1 = 0`;
