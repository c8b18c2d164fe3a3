/**
 * Each running delivery worker says it is alive every few seconds, in the database (workers may
 * run in other processes and on other machines): /api/health reads the freshest beat's age.
 */
import os from "node:os";
import type { Db } from "../db";

export const HEARTBEAT_EVERY_MS = 5_000;
/** A worker silent for longer than this is taken for gone. */
export const HEARTBEAT_STALE_MS = 30_000;

export async function beat(db: Db, workerId: string, startedAt: Date, now = new Date()): Promise<void> {
  await db.workerHeartbeat.upsert({
    where: { id: workerId },
    create: { id: workerId, host: os.hostname(), startedAt, beatAt: now },
    update: { beatAt: now },
  });
  // Workers killed without stopping leave their row; an hour on, nobody needs it.
  await db.workerHeartbeat.deleteMany({ where: { beatAt: { lt: new Date(now.getTime() - 3_600_000) } } });
}

/** A stopped worker is gone at once, not after the stale interval. */
export async function endHeartbeat(db: Db, workerId: string): Promise<void> {
  await db.workerHeartbeat.deleteMany({ where: { id: workerId } });
}

/** When the freshest beat was, or null when no worker has beaten in the last hour. */
export async function lastHeartbeat(db: Db): Promise<Date | null> {
  const freshest = await db.workerHeartbeat.findFirst({
    orderBy: { beatAt: "desc" },
    select: { beatAt: true },
  });
  return freshest?.beatAt ?? null;
}
