/**
 * The delivery queries that grow with traffic — the workers' claim, the Deliveries tab, the log
 * API and the retention purge — must walk indexes at 1,000,000 deliveries (100,000 events over
 * 1,000 webhooks), on both backends: the planner's own word (EXPLAIN), after statistics.
 */
// Seeding a million rows takes longer than one statement may in production.
process.env.DATABASE_STATEMENT_TIMEOUT_MS = "0";

import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../server/db";
import { PURGE_BATCH } from "../server/deliveries/delivery-log.service";
import { dueInTurns } from "../server/deliveries/worker";
import { Prisma } from "../server/generated/sqlite/client";
import { testBackend } from "./test-database";

const DELIVERIES = 1_000_000;
const EVENTS = 100_000;
const WEBHOOKS = 1_000;
const backend = testBackend();

const SERIES = {
  sqlite: (n: number) =>
    `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1}) SELECT i FROM s`,
  postgresql: (n: number) => `SELECT i FROM generate_series(0, ${n - 1}) AS s(i)`,
}[backend];

// Delivery i: event i/10, webhook i % 1000 (client i % 100); one in 50 still pending.
const SEED = [
  `INSERT INTO "User" ("id", "email", "passwordHash") VALUES ('ds-user', 'ds@example.com', 'x')`,
  `INSERT INTO "ApiClient" ("id", "name", "ownerId", "tokenHash")
     SELECT 'ds-c-' || i, 'Client ' || i, 'ds-user', 'ds-hash-' || i FROM (${SERIES(100)}) s`,
  `INSERT INTO "Event" ("id", "eventType", "facilityId", "body", "createdAt")
     SELECT 'ds-e-' || i, 'shift.created', 'ds-f-' || (i % 10), '{}', CURRENT_TIMESTAMP FROM (${SERIES(EVENTS)}) s`,
  `INSERT INTO "Delivery" ("id", "eventId", "webhookId", "clientId", "facilityId", "eventType", "url", "status", "attempts", "dueAtMs", "createdAt")
     SELECT 'ds-d-' || i, 'ds-e-' || (i / 10), 'ds-w-' || (i % ${WEBHOOKS}), 'ds-c-' || (i % 100), 'ds-f-' || (i % 10),
       'shift.created', 'https://example.com/', CASE WHEN i % 50 = 0 THEN 'pending' ELSE 'success' END, 1,
       CASE WHEN i % 50 = 0 THEN i ELSE NULL END, CURRENT_TIMESTAMP
     FROM (${SERIES(DELIVERIES)}) s`,
  backend === "sqlite" ? "ANALYZE" : "VACUUM ANALYZE",
];

async function plan(query: Prisma.Sql): Promise<string> {
  const explain = Prisma.raw(backend === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN");
  const rows = await getDb().$queryRaw<Record<string, unknown>[]>(Prisma.sql`${explain} ${query}`);
  return rows.map((row) => String(row.detail ?? row["QUERY PLAN"])).join("\n");
}

/** The index the plan searches by, on either backend; and no full scan of the table. */
function expectIndex(text: string, table: string, index: string) {
  if (backend === "sqlite") {
    expect(text).toMatch(new RegExp(`SEARCH ${table} USING (COVERING )?INDEX ${index}\\b`));
    expect(text).not.toMatch(new RegExp(`SCAN ${table}\\b`));
  } else {
    expect(text).toMatch(
      new RegExp(`(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) "${index}"`),
    );
    expect(text).not.toMatch(/Seq Scan/);
  }
}

beforeAll(async () => {
  for (const statement of SEED) await getDb().$executeRawUnsafe(statement);
}, 300_000);

describe(`at ${DELIVERIES.toLocaleString("en")} deliveries on ${backend}`, () => {
  it("the workers' claim reads each webhook's first due deliveries through (status, webhookId, dueAtMs), each claimed one by its key", async () => {
    const text = await plan(dueInTurns(100, Date.now(), { perClient: 25, perWebhook: 10 }));
    expectIndex(text, "Delivery", "Delivery_status_webhookId_dueAtMs_idx");
    // One webhook's due deliveries at a time (status and webhook fixed), never a range over all due.
    expect(text).not.toMatch(
      /\(status=\? AND dueAtMs<\?\)|Index Cond: \(\(status = 'pending'::text\) AND \("dueAtMs" <=/,
    );
    if (backend === "sqlite") expect(text).toMatch(/\(status=\? AND webhookId=\? AND dueAtMs<\?\)/);
    expect(text).toMatch(
      backend === "sqlite" ? /SEARCH d USING INDEX sqlite_autoindex_Delivery_1 \(id=\?\)/ : /"Delivery_pkey"/,
    );
  });

  it.runIf(backend === "postgresql")(
    "the workers' claim reads no more rows behind one webhook's backlog of 50,000 than behind its first few",
    async () => {
      // Rows the claim read from Delivery, by PostgreSQL's own count (its row locks end with the statement).
      const count = (node: Record<string, unknown>): number =>
        (node["Relation Name"] === "Delivery"
          ? Number(node["Actual Rows"]) * Number(node["Actual Loops"]) +
            Number(node["Rows Removed by Filter"] ?? 0)
          : 0) +
        ((node.Plans as Record<string, unknown>[] | undefined) ?? []).reduce(
          (sum, child) => sum + count(child),
          0,
        );
      const rowsRead = async () => {
        const [row] = await getDb().$queryRaw<{ "QUERY PLAN": { Plan: Record<string, unknown> }[] }[]>(
          Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${dueInTurns(100, Date.now(), { perClient: 25, perWebhook: 10 })}`,
        );
        return count(row?.["QUERY PLAN"][0]?.Plan ?? {});
      };
      const before = await rowsRead();
      await getDb().$executeRawUnsafe(`INSERT INTO "Delivery" ("id", "eventId", "webhookId", "clientId", "facilityId", "eventType", "url", "status", "attempts", "dueAtMs", "createdAt")
        SELECT 'ds-deep-' || i, 'ds-e-5', 'ds-w-50', 'ds-c-50', 'ds-f-0', 'shift.created', 'https://example.com/', 'pending', 0, i, CURRENT_TIMESTAMP
        FROM (${SERIES(50_000)}) s`);
      await getDb().$executeRawUnsafe("ANALYZE");
      try {
        expect(await rowsRead()).toBeLessThanOrEqual(before + 2);
      } finally {
        await getDb().$executeRawUnsafe(`DELETE FROM "Delivery" WHERE "id" LIKE 'ds-deep-%'`);
      }
    },
  );

  it("the Deliveries tab reads one webhook's newest deliveries from its index, without sorting", async () => {
    const text = await plan(Prisma.sql`
      SELECT "id" FROM "Delivery" WHERE "webhookId" = ${"ds-w-7"} AND "facilityId" IN (${"ds-f-7"}, ${"ds-f-3"})
      ORDER BY "createdAt" DESC, "id" DESC LIMIT 50`);
    expectIndex(text, "Delivery", "Delivery_webhookId_createdAt_id_idx");
    expect(text).not.toMatch(/TEMP B-TREE|Sort/);
  });

  it("the log API reads a client's deliveries through (clientId, createdAt)", async () => {
    const text = await plan(Prisma.sql`
      SELECT "id" FROM "Delivery"
      WHERE "clientId" IN (${"ds-c-7"}) AND "attempts" > 0 AND "facilityId" IN (${"ds-f-7"})
        AND "createdAt" >= ${new Date(0)} AND "createdAt" <= ${new Date()}
      ORDER BY "createdAt" DESC, "id" ASC LIMIT 10 OFFSET 0`);
    expectIndex(text, "Delivery", "Delivery_clientId_createdAt_idx");
  });

  it("the purge takes the oldest events in a batch through Event(createdAt), and their deliveries by event", async () => {
    expectIndex(
      await plan(
        Prisma.sql`SELECT "id" FROM "Event" WHERE "createdAt" < ${new Date()} ORDER BY "createdAt" ASC LIMIT ${PURGE_BATCH}`,
      ),
      "Event",
      "Event_createdAt_idx",
    );
    expectIndex(
      await plan(Prisma.sql`SELECT "id" FROM "Delivery" WHERE "eventId" IN (${"ds-e-1"}, ${"ds-e-2"})`),
      "Delivery",
      "Delivery_eventId_idx",
    );
  });
});
