/**
 * "Deliveries are due": said by whoever publishes, heard by the workers, so a worker with nothing to
 * do claims at once instead of waiting out its rest. Within one process (the embedded worker) it is
 * an event; from `npm start`'s server to its worker process, a message relayed by their parent;
 * across any processes on PostgreSQL, NOTIFY after the publish commits and LISTEN on a connection
 * of the worker's own. The worker's poll stays the backstop: a lost signal delays a delivery by
 * one rest, never more.
 *
 * Not NOTIFY inside the publishing transaction: PostgreSQL takes one cluster-wide lock for every
 * transaction that notifies and holds it through the commit's WAL flush, so publishes that each
 * notified committed one at a time (single publishes collapsed at about 130 a second). After the
 * commit, notices are coalesced: one at a time, and one more for whatever was published meanwhile.
 */
import { EventEmitter } from "node:events";
import pg from "pg";
import { getDb } from "../db";
import { getEnv } from "../env";
import { logger } from "../http/log";
import { processSingleton } from "../process-singleton";

export const DUE_CHANNEL = "deliveries_due";
const local = processSingleton("deliveries-due", () => new EventEmitter().setMaxListeners(0));

let notifying: Promise<void> | null = null;
let notifyAgain = false;

/** PostgreSQL: tells other processes' workers (one NOTIFY at a time, coalescing what comes meanwhile). */
function notifyOtherProcesses(): void {
  if (getEnv().provider !== "postgresql") return;
  if (notifying) {
    notifyAgain = true;
    return;
  }
  notifying = (async () => {
    do {
      notifyAgain = false;
      await getDb().$executeRaw`SELECT pg_notify(${DUE_CHANNEL}, '')`.catch((error: unknown) =>
        logger.warn({ err: error }, "deliveries due: NOTIFY failed; the workers' poll will find them"),
      );
    } while (notifyAgain);
    notifying = null;
  })();
}

/** What `npm start` relays from its server process to its worker process (scripts/start.ts). */
export const DUE_MESSAGE = "deliveries-due";

/**
 * After the publish committed: this process's worker hears it at once, so does the worker process
 * `npm start` runs beside this server (through the parent's IPC channel), and on PostgreSQL every
 * other worker (NOTIFY).
 */
export function announceDue(): void {
  local.emit("due");
  if (process.connected) process.send?.(DUE_MESSAGE);
  notifyOtherProcesses();
}

/** Calls `wake` whenever deliveries become due; returns the function that stops listening. */
export function listenForDue(wake: () => void): () => Promise<void> {
  const relayed = (message: unknown) => message === DUE_MESSAGE && wake();
  local.on("due", wake);
  process.on("message", relayed);
  const remote = getEnv().provider === "postgresql" ? listenOnPostgres(wake) : null;
  return async () => {
    local.off("due", wake);
    process.off("message", relayed);
    await remote?.();
  };
}

const RECONNECT_MS = 1_000;

/** LISTEN on a connection of its own (a pooled one may be handed to anyone), reconnecting if it drops. */
function listenOnPostgres(wake: () => void): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: getEnv().DATABASE_URL });
    next.on("notification", wake);
    next.on("error", (error) => {
      logger.warn({ err: error }, "delivery worker: the LISTEN connection failed; polling meanwhile");
      void next.end().catch(() => {});
      if (client === next) client = null;
      setTimeout(() => void connect(), RECONNECT_MS).unref();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${DUE_CHANNEL}`);
      client = next;
      if (stopped) await next.end();
      wake(); // what was published while not listening
    } catch (error) {
      next.emit("error", error);
    }
  };
  void connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
