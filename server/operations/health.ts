/**
 * What `GET /api/health` reports: whether the database answers, whether every committed migration
 * is applied, how long ago a delivery worker last said it was alive, and the delivery queue.
 * Healthy only when all three checks pass; the queue and the values sealed under keys no longer
 * configured are reported, never judged (a backlog after an outage is normal, and a missing key is
 * the same on every instance: failing them all would take the whole service out of the balancer).
 */

import path from "node:path";
import { keyRing } from "../crypto/sealed-secrets";
import { type Db, getDb } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import { migrationNames } from "../migration-names";
import { HEARTBEAT_STALE_MS, lastHeartbeat } from "./heartbeat";
import { DRAINING_ANSWER, isDraining, isWarmingUp, WARMING_UP_ANSWER } from "./lifecycle";

const DATABASE_TIMEOUT_MS = 3_000;

type Check = { ok: boolean; detail: string };
export type HealthReport = {
  status: "ok" | "failing";
  checks: { database: Check; migrations: Check; worker: Check };
  queue: {
    pending: number;
    oldestPendingAgeSeconds: number | null;
    /** Pending deliveries published longer ago than LOG_RETENTION_DAYS (kept until sent). */
    pendingBeyondRetention: number;
  } | null;
  /** Sealed values (live secrets, history snapshots) under keys this server does not have. */
  sealedUnderMissingKeys: number | null;
};

const withTimeout = <T>(work: Promise<T>, ms: number, what: string) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), ms).unref()),
  ]);

/** The committed migrations, read where `npm start` runs (the project root). */
const committedMigrations = () =>
  migrationNames(path.join(process.cwd(), "prisma/migrations", getEnv().provider));

/**
 * Pending deliveries, how long the oldest has waited since it was published, and how many are
 * older than the log retention (the purge keeps them until they are sent: a backlog, not a loss).
 */
export async function deliveryQueue(db: Db, now = Date.now()) {
  const retainedSince = new Date(now - getEnv().LOG_RETENTION_DAYS * 86_400_000);
  const [{ _count, _min }, pendingBeyondRetention] = await Promise.all([
    db.delivery.aggregate({ where: { status: "pending" }, _count: true, _min: { createdAt: true } }),
    db.delivery.count({ where: { status: "pending", createdAt: { lt: retainedSince } } }),
  ]);
  return {
    pending: _count,
    oldestPendingAgeSeconds: _min.createdAt ? Math.max(0, (now - _min.createdAt.getTime()) / 1000) : null,
    pendingBeyondRetention,
  };
}

const failing = (detail: string): Check => ({ ok: false, detail });

/**
 * How many stored values are sealed with a key that is not configured: webhook secrets, history
 * snapshots holding at least one such secret, and the platform's Ed25519 private keys. Whatever remains of a text once every configured
 * key's prefix is taken out still names another key if it holds "enc:v1:".
 */
export async function countSealedUnderMissingKeys(db: Db): Promise<number> {
  const underOtherKeys = (column: string) =>
    keyRing().reduce(
      (text, key) => Prisma.sql`REPLACE(${text}, ${`enc:v1:${key.id}:`}, '')`,
      Prisma.raw(`"${column}"`),
    );
  const [secrets, snapshots, signingKeys] = await Promise.all([
    db.$queryRaw<{ n: bigint | number }[]>`
      SELECT COUNT(*) AS "n" FROM "WebhookSecret" WHERE ${underOtherKeys("value")} LIKE '%enc:v1:%'`,
    db.$queryRaw<{ n: bigint | number }[]>`
      SELECT COUNT(*) AS "n" FROM "WebhookChange"
      WHERE "snapshot" IS NOT NULL AND ${underOtherKeys("snapshot")} LIKE '%enc:v1:%'`,
    db.$queryRaw<{ n: bigint | number }[]>`
      SELECT COUNT(*) AS "n" FROM "SigningKey" WHERE ${underOtherKeys("privateKey")} LIKE '%enc:v1:%'`,
  ]);
  return [secrets, snapshots, signingKeys].reduce((sum, rows) => sum + Number(rows[0]?.n ?? 0), 0);
}

/** The count above scans every sealed value: health (polled every second or so) reuses it a while. */
const SEALED_COUNT_TTL_MS = 60_000;
let sealedCount: { at: number; keys: string; value: number } | undefined;

async function sealedUnderMissingKeys(db: Db, now: number): Promise<number> {
  const keys = keyRing()
    .map((key) => key.id)
    .join();
  if (!sealedCount || sealedCount.keys !== keys || now - sealedCount.at > SEALED_COUNT_TTL_MS) {
    sealedCount = { at: now, keys, value: await countSealedUnderMissingKeys(db) };
  }
  return sealedCount.value;
}

async function migrationsCheck(db: Db): Promise<Check> {
  const applied = new Set(
    (
      await db.$queryRaw<{ migration_name: string }[]>`
        SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`
    ).map((row) => row.migration_name),
  );
  const missing = committedMigrations().filter((name) => !applied.has(name));
  return missing.length === 0
    ? { ok: true, detail: `${applied.size} applied` }
    : failing(`not applied: ${missing.join(", ")}`);
}

async function workerCheck(db: Db, now: number): Promise<Check> {
  const beat = await lastHeartbeat(db);
  if (!beat) return failing("no delivery worker is running");
  const age = `last heartbeat ${Math.round((now - beat.getTime()) / 1000)} s ago`;
  return now - beat.getTime() > HEARTBEAT_STALE_MS ? failing(age) : { ok: true, detail: age };
}

/** A check that fails on its own, its cause in the log only: the health answer is public. */
const guarded = (name: string, check: () => Promise<Check>): Promise<Check> =>
  check().catch((error) => {
    logger.error({ err: error }, `health: the ${name} check failed`);
    return failing(name === "database" ? "unreachable" : "could not be checked (see the server log)");
  });

/** Ready for requests: warmed up, not draining, and the database answering in time. */
export async function checkReadiness(): Promise<{
  status: "ready" | "starting" | "draining" | "failing";
  detail: string;
}> {
  if (isDraining()) return DRAINING_ANSWER;
  if (isWarmingUp()) return WARMING_UP_ANSWER;
  const database = await guarded("database", async () => {
    await withTimeout(getDb().$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS, "the database");
    return { ok: true, detail: "reachable" };
  });
  return database.ok
    ? { status: "ready", detail: "serving" }
    : { status: "failing", detail: database.detail };
}

export async function checkHealth(now = Date.now()): Promise<HealthReport> {
  let db: Db | undefined;
  const database = await guarded("database", async () => {
    db = getDb(); // opening the client can fail too (a SQLite file that cannot be opened)
    await withTimeout(db.$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS, "the database");
    return { ok: true, detail: "reachable" };
  });
  if (!database.ok || !db) {
    const unknown = failing("unknown: the database is unreachable");
    return {
      status: "failing",
      checks: { database, migrations: unknown, worker: unknown },
      queue: null,
      sealedUnderMissingKeys: null,
    };
  }
  const reachable = db;
  const checks = {
    database,
    migrations: await guarded("migrations", () => migrationsCheck(reachable)),
    worker: await guarded("worker", () => workerCheck(reachable, now)),
  };
  return {
    status: Object.values(checks).every((check) => check.ok) ? "ok" : "failing",
    checks,
    queue: await deliveryQueue(reachable, now).catch(() => null),
    sealedUnderMissingKeys: await sealedUnderMissingKeys(reachable, now).catch((error) => {
      logger.error({ err: error }, "health: the sealed values could not be checked");
      return null;
    }),
  };
}
