/**
 * The two paths that grow with the data — delivery fan-out and a client's list — must walk
 * indexes on both backends. 100,000 webhooks over 10,000 facilities and 1,000 clients, then the
 * planner's own word (EXPLAIN), after statistics are gathered.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../server/db";
import { Prisma } from "../server/generated/sqlite/client";
import { fanOutQuery } from "../server/webhooks/webhook-fanout";
import { WEBHOOK_EVENTS } from "../server/webhooks/webhook-rules";
import { testBackend } from "./test-database";

const WEBHOOKS = 100_000;
const FACILITIES = 10_000;
const CLIENTS = 1_000;
const backend = testBackend();

// Row i: webhook `w-i` of client `c-(i % CLIENTS)` on facility `f-(i % FACILITIES)`, listening to
// event `i % 11` of the list. The same data on both backends, generated inside the database.
const events = WEBHOOK_EVENTS.map((e) => `'${e}'`).join(", ");
const SERIES = {
  sqlite: (n: number) =>
    `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1}) SELECT i FROM s`,
  postgresql: (n: number) => `SELECT i FROM generate_series(0, ${n - 1}) AS s(i)`,
}[backend];
const eventAt = {
  sqlite: `json_extract('[${events.replaceAll("'", '"')}]', '$[' || (i % 11) || ']')`,
  postgresql: `(ARRAY[${events}])[(i % 11) + 1]`,
}[backend];

const SEED = [
  `INSERT INTO "User" ("id", "email", "passwordHash") VALUES ('scale-user', 'scale@example.com', 'x')`,
  `INSERT INTO "Facility" ("id", "name") SELECT 'f-' || i, 'Facility ' || i FROM (${SERIES(FACILITIES)}) s`,
  `INSERT INTO "FacilityAccess" ("userId", "facilityId") SELECT 'scale-user', 'f-' || i FROM (${SERIES(FACILITIES)}) s`,
  `INSERT INTO "ApiClient" ("id", "name", "ownerId", "tokenHash")
     SELECT 'c-' || i, 'Client ' || i, 'scale-user', 'hash-' || i FROM (${SERIES(CLIENTS)}) s`,
  `INSERT INTO "Webhook" ("id", "url", "clientId", "createdAt", "updatedAt")
     SELECT 'w-' || i, 'https://example.com/' || i, 'c-' || (i % ${CLIENTS}), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
     FROM (${SERIES(WEBHOOKS)}) s`,
  `INSERT INTO "WebhookFacility" ("webhookId", "facilityId", "position")
     SELECT 'w-' || i, 'f-' || (i % ${FACILITIES}), 0 FROM (${SERIES(WEBHOOKS)}) s`,
  `INSERT INTO "WebhookEvent" ("webhookId", "event", "position") SELECT 'w-' || i, ${eventAt}, 0 FROM (${SERIES(WEBHOOKS)}) s`,
  // Statistics and (on PostgreSQL) the visibility map, as autovacuum keeps them in production.
  backend === "sqlite" ? "ANALYZE" : "VACUUM ANALYZE",
];

// The list query the service runs for an API client (webhook.service.ts listWebhooks).
const clientListQuery = Prisma.sql`SELECT "id" FROM "Webhook" WHERE "clientId" = ${"c-7"} ORDER BY "createdAt" ASC, "id" ASC`;

/** The plan as text lines: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN. */
async function plan(query: Prisma.Sql): Promise<string> {
  const explain = Prisma.raw(backend === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN");
  const rows = await getDb().$queryRaw<Record<string, unknown>[]>(Prisma.sql`${explain} ${query}`);
  return rows.map((row) => String(row.detail ?? row["QUERY PLAN"])).join("\n");
}

beforeAll(async () => {
  for (const statement of SEED) await getDb().$executeRawUnsafe(statement);
}, 120_000);

describe(`at ${WEBHOOKS.toLocaleString("en")} webhooks on ${backend}`, () => {
  it("fan-out finds exactly the facility's webhooks for the event or `all`", async () => {
    // Facility f-3 has webhooks w-3, w-10003, … (10 of them); event index i % 11.
    const expected = Array.from({ length: 10 }, (_, k) => 3 + k * FACILITIES)
      .filter((i) => ["shift.created", "all"].includes(WEBHOOK_EVENTS[i % 11] ?? ""))
      .map((i) => `w-${i}`);
    expect(expected.length).toBeGreaterThan(0);
    const found = await getDb().$queryRaw<{ webhookId: string }[]>(fanOutQuery("f-3", "shift.created"));
    expect(found.map((t) => t.webhookId).sort()).toEqual(expected.sort());
  });

  it("fan-out walks the facility index and the primary keys of events, webhooks, clients, users and access, scanning no table", async () => {
    const text = await plan(fanOutQuery("f-3", "shift.created"));
    if (backend === "sqlite") {
      expect(text).toMatch(
        /SEARCH f USING COVERING INDEX WebhookFacility_facilityId_webhookId_idx \(facilityId=\?\)/,
      );
      expect(text).toMatch(/SEARCH e (EXISTS )?USING COVERING INDEX sqlite_autoindex_WebhookEvent_1/);
      expect(text).toMatch(/SEARCH w USING INDEX sqlite_autoindex_Webhook_1 \(id=\?\)/);
      expect(text).toMatch(/SEARCH c USING INDEX sqlite_autoindex_ApiClient_1 \(id=\?\)/);
      expect(text).toMatch(/SEARCH u USING INDEX sqlite_autoindex_User_1 \(id=\?\)/);
      expect(text).toMatch(
        /SEARCH a USING COVERING INDEX sqlite_autoindex_FacilityAccess_1 \(userId=\? AND facilityId=\?\)/,
      );
      expect(text).not.toMatch(/\bSCAN\b/);
    } else {
      expect(text).toMatch(/Index (Only )?Scan using "WebhookFacility_facilityId_webhookId_idx"/);
      expect(text).toMatch(/Index (Only )?Scan using "WebhookEvent_pkey"/);
      expect(text).toMatch(/Index (Only )?Scan using "Webhook_pkey"/);
      expect(text).toMatch(/Index (Only )?Scan using "ApiClient_pkey"/);
      expect(text).toMatch(/Index (Only )?Scan using "User_pkey"/);
      expect(text).toMatch(/Index (Only )?Scan using "FacilityAccess_pkey"/);
      expect(text).not.toMatch(/Seq Scan/);
    }
  });

  it("a client's list reads its index range in order, without scanning or sorting", async () => {
    const text = await plan(clientListQuery);
    if (backend === "sqlite") {
      expect(text).toMatch(
        /SEARCH Webhook USING (COVERING )?INDEX Webhook_clientId_createdAt_id_idx \(clientId=\?\)/,
      );
      expect(text).not.toMatch(/TEMP B-TREE|\bSCAN\b/);
    } else {
      expect(text).toMatch(/Index (Only )?Scan using "Webhook_clientId_createdAt_id_idx"/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });
});
