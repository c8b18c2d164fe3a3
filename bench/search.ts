/**
 * Search and erasure at scale (`npm run bench`, or `tsx bench/search.ts` with TEST_DATABASE and,
 * for PostgreSQL, TEST_POSTGRES_URL): one webhook with BENCH_SEARCH_DELIVERIES (1,000,000)
 * deliveries over 14 days, each with one attempt (1% answered 503, 0.1% slower than 2 s), then
 * the searches an admin runs — by payload field, by status class, by latency — through the same
 * service calls as the Deliveries tab and the log API, and an erasure matching 100 events. Prints
 * one Markdown line per measurement.
 */
import { performance } from "node:perf_hooks";
import { createEmptyDatabase, testBackend } from "../tests/test-database";

const DELIVERIES = Number(process.env.BENCH_SEARCH_DELIVERIES ?? 1_000_000);
const DAYS = 14;
const CLINICIANS = 10_000; // so one clinician's erasure matches DELIVERIES / 10,000 events

const backend = testBackend();
const database = await createEmptyDatabase("bench-search");
process.env.DATABASE_URL = database.url;
const { newEncryptionKey } = await import("../server/crypto/sealed-secrets");
process.env.APP_ENCRYPTION_KEY ??= newEncryptionKey();
const { getDb } = await import("../server/db");
const { getEnv } = await import("../server/env");
const { applyMigrations, targetFor } = await import("../server/migrations");
const { createTenant } = await import("../tests/helpers");
const { createWebhook } = await import("../server/webhooks/webhook.service");
const { listWebhookDeliveries } = await import("../server/deliveries/deliveries.service");
const { searchDeliveryLog } = await import("../server/deliveries/delivery-log.service");
const { deliveryLogQuery, webhookDeliveriesInput } = await import("../server/deliveries/delivery.schemas");
const { erasePayloads } = await import("../server/deliveries/erasure.service");

await applyMigrations(targetFor(getEnv()));
const tenant = await createTenant(1);
const facilityId = tenant.facilityIds[0] ?? "";
const webhook = await createWebhook({
  principal: tenant.clientPrincipal,
  input: { url: "https://receiver.example/search", events: ["shift.created"], facilities: [facilityId] },
});
const db = getDb();
const now = Date.now();
const stepMs = Math.floor((DAYS * 86_400_000) / DELIVERIES);

/** Rows generated per statement: each stays well inside PostgreSQL's statement timeout. */
const SEED_CHUNK = 100_000;

/** Generates the rows in the database itself: a million round trips would measure the seeding. */
async function seed() {
  for (let from = 0; from < DELIVERIES; from += SEED_CHUNK) {
    await seedRange(from, Math.min(from + SEED_CHUNK, DELIVERIES) - 1);
  }
  if (backend === "postgresql") await db.$executeRawUnsafe("ANALYZE");
}

async function seedRange(from: number, to: number) {
  const start = now - DAYS * 86_400_000;
  const postgres = backend === "postgresql";
  const series = postgres
    ? `generate_series(${from}, ${to}) AS n(i)`
    : `(WITH RECURSIVE s(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${to}) SELECT i FROM s) n`;
  const at = postgres
    ? `to_timestamp((${start} + i::bigint * ${stepMs}) / 1000.0)`
    : `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${start} + i * ${stepMs}) / 1000.0, 'unixepoch')`;
  const text = (expr: string) => (postgres ? `(${expr})::text` : `(${expr})`);
  const padded = postgres ? `lpad(i::text, 7, '0')` : `printf('%07d', i)`;
  await db.$executeRawUnsafe(`INSERT INTO "Event" ("id", "eventType", "facilityId", "body", "createdAt")
    SELECT 'e' || ${padded}, 'shift.created', '${facilityId}',
      '{"data":{"shiftId":"s-' || ${text("i")} || '","clinicianId":"c-' || ${text(`i % ${CLINICIANS}`)} || '"},"eventType":"shift.created"}',
      ${at} FROM ${series}`);
  await db.$executeRawUnsafe(`INSERT INTO "Delivery" ("id", "eventId", "webhookId", "clientId", "facilityId", "eventType",
      "url", "status", "attempts", "createdAt")
    SELECT 'd' || ${padded}, 'e' || ${padded}, '${webhook.id}', '${tenant.client.clientId}', '${facilityId}',
      'shift.created', 'https://receiver.example/search',
      CASE WHEN i % 100 = 7 THEN 'failure' ELSE 'success' END, 1, ${at} FROM ${series}`);
  await db.$executeRawUnsafe(`INSERT INTO "DeliveryAttempt" ("id", "deliveryId", "attempt", "signature",
      "responseStatus", "responseBody", "latencyMs", "url", "createdAt")
    SELECT 'a' || ${padded}, 'd' || ${padded}, 1, 't=1,v1=00',
      CASE WHEN i % 100 = 7 THEN 503 ELSE 200 END, 'ok',
      CASE WHEN i % 1000 = 3 THEN 2500 ELSE 20 + i % 80 END, 'https://receiver.example/search', ${at} FROM ${series}`);
}

const lines: string[] = [];
async function timed<T>(name: string, run: () => Promise<T>, summary: (result: T) => string) {
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  lines.push(
    `${backend}, ${DELIVERIES.toLocaleString("en-US")} deliveries: ${name}: ${ms.toFixed(0)} ms (${summary(result)})`,
  );
  console.log(lines.at(-1));
  return result;
}

try {
  await timed("seeding", seed, () => "in SQL, not part of any figure");
  const tab = (filters: Record<string, unknown>) => () =>
    listWebhookDeliveries({
      principal: tenant.userPrincipal,
      input: webhookDeliveriesInput.parse({ webhookId: webhook.id, ...filters }),
    });
  const found = (page: { items: unknown[] }) => `${page.items.length} found`;
  const last = DELIVERIES - 1;
  await timed(
    "Deliveries tab, payload data.shiftId (one match: the oldest; every payload read)",
    tab({ payload: "data.shiftId=s-0" }),
    found,
  );
  await timed(
    "Deliveries tab, payload data.shiftId (the newest)",
    tab({ payload: `data.shiftId=s-${last}` }),
    found,
  );
  await timed(
    "Deliveries tab, receiver answered 5xx (first page of 50)",
    tab({ responseStatus: "5xx" }),
    found,
  );
  await timed(
    "Deliveries tab, an attempt of at least 2,000 ms (first page)",
    tab({ minLatencyMs: 2000 }),
    found,
  );
  await timed(
    "log API, payload data.clinicianId over 14 days (first page of 100)",
    () =>
      searchDeliveryLog({
        principal: tenant.clientPrincipal,
        query: deliveryLogQuery.parse({ payload: "data.clinicianId=c-42", limit: "100" }),
      }),
    (logs) => `${logs.length} found`,
  );
  await timed(
    "erasure dry run, data.clinicianId=c-42",
    () => erasePayloads({ match: "data.clinicianId=c-42", dryRun: true }),
    (r) => `${r.events} events match`,
  );
  await timed(
    "erasure, data.clinicianId=c-42 (batches of 2,000 events)",
    () => erasePayloads({ match: "data.clinicianId=c-42" }),
    (r) =>
      `${r.events} events, ${r.deliveries} deliveries redacted; ${Math.ceil(DELIVERIES / 2000)} batches, each one short statement pair`,
  );
} finally {
  await db.$disconnect();
  await database.drop();
}
