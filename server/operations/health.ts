/**
 * What `GET /api/health` reports: whether the database answers, whether every committed migration
 * is applied, how long ago a delivery worker last said it was alive, and the delivery queue.
 * Healthy only when all three checks pass; the queue is reported, never judged (a backlog after an
 * outage is normal, and the metrics alert on it better).
 */
import path from "node:path";
import { type Db, getDb } from "../db";
import { getEnv } from "../env";
import { logger } from "../http/log";
import { migrationNames } from "../migration-names";
import { HEARTBEAT_STALE_MS, lastHeartbeat } from "./heartbeat";

const DATABASE_TIMEOUT_MS = 3_000;

type Check = { ok: boolean; detail: string };
export type HealthReport = {
  status: "ok" | "failing";
  checks: { database: Check; migrations: Check; worker: Check };
  queue: { pending: number; oldestPendingAgeSeconds: number | null } | null;
};

const withTimeout = <T>(work: Promise<T>, ms: number, what: string) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), ms).unref()),
  ]);

/** The committed migrations, read where `npm start` runs (the project root). */
const committedMigrations = () =>
  migrationNames(path.join(process.cwd(), "prisma/migrations", getEnv().provider));

/** Pending deliveries and how long the oldest has waited since it was published. */
export async function deliveryQueue(db: Db, now = Date.now()) {
  const { _count, _min } = await db.delivery.aggregate({
    where: { status: "pending" },
    _count: true,
    _min: { createdAt: true },
  });
  return {
    pending: _count,
    oldestPendingAgeSeconds: _min.createdAt ? Math.max(0, (now - _min.createdAt.getTime()) / 1000) : null,
  };
}

const failing = (detail: string): Check => ({ ok: false, detail });

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

export async function checkHealth(now = Date.now()): Promise<HealthReport> {
  let db: Db | undefined;
  const database = await guarded("database", async () => {
    db = getDb(); // opening the client can fail too (a SQLite file that cannot be opened)
    await withTimeout(db.$queryRaw`SELECT 1`, DATABASE_TIMEOUT_MS, "the database");
    return { ok: true, detail: "reachable" };
  });
  if (!database.ok || !db) {
    const unknown = failing("unknown: the database is unreachable");
    return { status: "failing", checks: { database, migrations: unknown, worker: unknown }, queue: null };
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
  };
}
