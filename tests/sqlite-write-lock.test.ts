/**
 * SQLite has one writer. While another process holds the write lock (the worker writing its
 * outcomes, the server publishing, the CLI), this process's transactions and single writes wait for
 * it — without blocking the event loop, so the server goes on reading requests and the worker goes
 * on sending and hearing answers meanwhile.
 */
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";

/** How long the other connection holds the write lock. */
const HOLD_MS = 1_000;

/** Another connection, in a thread of its own, holding SQLite's write lock for HOLD_MS. */
function holdWriteLock(file: string) {
  const holder = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const db = require("better-sqlite3")(workerData.file);
     db.exec("BEGIN IMMEDIATE");
     parentPort.postMessage("held");
     setTimeout(() => { db.exec("COMMIT"); db.close(); parentPort.postMessage("released"); }, workerData.holdMs);`,
    { eval: true, workerData: { file, holdMs: HOLD_MS } },
  );
  const message = (expected: string) =>
    new Promise<void>((resolve) => holder.on("message", (m) => m === expected && resolve()));
  return { held: message("held"), released: message("released"), holder };
}

/** The longest the event loop went without running a 5 ms interval, until `stop`. */
function watchEventLoop() {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return Math.max(longest, performance.now() - last);
  };
}

describe.runIf(getEnv().provider === "sqlite")("waiting for SQLite's write lock", () => {
  it("a transaction waits while another connection writes, and the event loop runs meanwhile", async () => {
    const db = getDb();
    await db.facility.count(); // connected before the lock is taken elsewhere
    const lock = holdWriteLock(getEnv().databaseFile);
    await lock.held;
    const stopWatching = watchEventLoop();
    // Two writes in one transaction, as a publish makes them (an event and its deliveries).
    const facility = await db.$transaction([
      db.facility.create({ data: { id: "lock-wait-facility", name: "Waited for the lock" } }),
      db.facility.update({ where: { id: "lock-wait-facility" }, data: { name: "Waited, then renamed" } }),
    ]);
    const longestStall = stopWatching();
    await lock.released;
    await lock.holder.terminate();

    expect(facility[1]).toMatchObject({ id: "lock-wait-facility", name: "Waited, then renamed" }); // stored once the other connection let go
    // Blocked, the loop would stall for the whole hold; waiting on timers it stalls for a few ms.
    expect(longestStall).toBeLessThan(HOLD_MS / 2);
  });

  it("a single write outside a transaction (the worker's claim) waits the same way", async () => {
    const db = getDb();
    await db.facility.create({ data: { id: "lock-wait-single", name: "Before" } });
    const lock = holdWriteLock(getEnv().databaseFile);
    await lock.held;
    const stopWatching = watchEventLoop();
    // One statement that writes and returns rows, as the claim's UPDATE … RETURNING does.
    const renamed = await db.$queryRaw<{ name: string }[]>`
      UPDATE "Facility" SET "name" = 'After' WHERE "id" = 'lock-wait-single' RETURNING "name"`;
    const longestStall = stopWatching();
    await lock.released;
    await lock.holder.terminate();

    expect(renamed).toEqual([{ name: "After" }]);
    expect(longestStall).toBeLessThan(HOLD_MS / 2);
  });
});
