/**
 * Erasure: when a person asks to be forgotten, every stored payload naming them is redacted — the
 * event body the deliveries send and show, and the receivers' answers to those deliveries (which
 * often echo the payload). Ids, times, statuses, attempt counts and signatures stay, so the log
 * still says what was sent when and how it went. The operator runs it from the CLI; the audit trail
 * records the field searched and how many were redacted, never the value.
 */
import { z } from "zod";
import { auditEntry } from "../audit/audit";
import { getDb } from "../db";
import { parseInput } from "../errors";
import { Prisma } from "../generated/sqlite/client";
import { payloadMatch } from "./delivery.schemas";
import { payloadHolds } from "./delivery-search";

/** Events read per statement: each scan and each redaction is short, whatever the log's size. */
export const ERASE_BATCH = 2_000;

/** What an erased receiver's answer reads as. */
export const ERASED_ANSWER = "[erased]";

export const eraseInput = z.object({
  match: z
    .string()
    .refine(
      (match) => match.startsWith("data."),
      "match must name a field of the event's data, e.g. data.clinicianId=c-42",
    )
    .pipe(payloadMatch),
  dryRun: z.boolean().default(false),
});

export type ErasureResult = { events: number; deliveries: number; attempts: number; dryRun: boolean };

/** An erased event's body: its type and when it was erased, no data. */
const erasedBody = (at: Date) =>
  Prisma.sql`'{"data":null,"erasedAt":"' || ${at.toISOString()} || '","eventType":"' || "eventType" || '"}'`;

export async function erasePayloads(
  input: z.input<typeof eraseInput>,
  { batch = ERASE_BATCH }: { batch?: number } = {},
): Promise<ErasureResult> {
  const { match, dryRun } = parseInput(eraseInput, input);
  const db = getDb();
  const result = { events: 0, deliveries: 0, attempts: 0, dryRun };
  const erasedAt = new Date();
  // Walks the events by id, a batch at a time; only the batch's matches are redacted.
  for (let after = ""; ; ) {
    const chunk = await db.$queryRaw<{ id: string; hit: number }[]>`
      SELECT c."id", CASE WHEN ${payloadHolds(Prisma.raw(`c."body"`), match)} THEN 1 ELSE 0 END AS "hit"
      FROM (SELECT "id", "body" FROM "Event" WHERE "id" > ${after} ORDER BY "id" LIMIT ${batch}) c
      ORDER BY c."id"`;
    const last = chunk.at(-1);
    if (!last) break;
    after = last.id; // in the database's own order (PostgreSQL's collation is not JavaScript's)
    const ids = chunk.filter((row) => Number(row.hit) === 1).map((row) => row.id);
    if (ids.length === 0) continue;
    const erased = await eraseEvents(ids, { erasedAt, dryRun });
    result.events += ids.length;
    result.deliveries += erased.deliveries;
    result.attempts += erased.attempts;
  }
  if (!dryRun) {
    await db.$executeRaw(
      auditEntry("operator", {
        action: "deliveries.erased",
        accountId: null,
        target: `payloads with ${match.path.join(".")} set to the given value`,
        details: { events: result.events, deliveries: result.deliveries, attempts: result.attempts },
      }),
    );
  }
  return result;
}

/** Redacts these events and their deliveries' answers, in one transaction; answers how many deliveries and attempts they had. */
async function eraseEvents(
  ids: string[],
  { erasedAt, dryRun }: { erasedAt: Date; dryRun: boolean },
): Promise<{ deliveries: number; attempts: number }> {
  const db = getDb();
  const idList = Prisma.join(ids);
  const deliveriesOf = Prisma.sql`SELECT "id" FROM "Delivery" WHERE "eventId" IN (${idList})`;
  const [counts] = await db.$queryRaw<{ deliveries: bigint | number; attempts: bigint | number }[]>`
    SELECT (SELECT COUNT(*) FROM "Delivery" WHERE "eventId" IN (${idList})) AS "deliveries",
      (SELECT COUNT(*) FROM "DeliveryAttempt" WHERE "deliveryId" IN (${deliveriesOf})) AS "attempts"`;
  if (!dryRun) {
    await db.$transaction([
      db.$executeRaw`UPDATE "Event" SET "body" = ${erasedBody(erasedAt)} WHERE "id" IN (${idList})`,
      db.$executeRaw`UPDATE "DeliveryAttempt" SET "responseBody" = ${ERASED_ANSWER}
        WHERE "deliveryId" IN (${deliveriesOf})`,
    ]);
  }
  return { deliveries: Number(counts?.deliveries ?? 0), attempts: Number(counts?.attempts ?? 0) };
}
