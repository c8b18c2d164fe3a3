/**
 * The worker as operators run it (`npm run worker`, a separate process), stopped gracefully and
 * killed outright while a delivery is in flight.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { getEnv } from "../server/env";
import { createWebhook } from "../server/webhooks/webhook.service";
import { type AppServer, createTenant, startAppServer, startWorkerProcess, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tenant = await createTenant(1);
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url("/hold"), events: ["shift.cancelled"], facilities: tenant.facilityIds },
  });
});
afterAll(() => receiver.close());

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

const requestsFor = (deliveryId: string) =>
  receiver.received.filter((r) => r.headers["webhook-delivery-id"] === deliveryId);

async function publishAndWaitUntilInFlight(startSender = () => Promise.resolve(startWorkerProcess())) {
  const { eventId } = await publishEvent({
    eventType: "shift.cancelled",
    facilityId: tenant.facilityIds[0],
    data: { reason: "test" },
  });
  const { id: deliveryId } = await getDb().delivery.findFirstOrThrow({ where: { eventId } });
  const worker = await startSender();
  await expect.poll(() => requestsFor(deliveryId).length, { timeout: 30_000 }).toBe(1);
  return { deliveryId, worker };
}

const deliveryOf = (id: string) =>
  getDb().delivery.findUniqueOrThrow({ where: { id }, include: { attemptRows: true } });

describe("worker process", () => {
  it("finishes the attempt in flight on SIGTERM, then exits", async () => {
    const { deliveryId, worker } = await publishAndWaitUntilInFlight();
    const exit = exited(worker);
    worker.kill("SIGTERM");
    receiver.releaseHeld();
    expect(await exit).toEqual({ code: 0, signal: null });
    const delivery = await deliveryOf(deliveryId);
    expect([delivery.status, delivery.attemptRows.length]).toEqual(["success", 1]);
  }, 60_000);

  it.each([
    ["its worker process (the default)", "process"],
    ["its embedded worker", "embedded"],
  ])(
    "npm start: on SIGTERM %s finishes the attempt in flight before npm start exits",
    async (_name, mode) => {
      let app: AppServer | undefined;
      const { deliveryId, worker } = await publishAndWaitUntilInFlight(async () => {
        app = await startAppServer(
          {
            NODE_EXTRA_CA_CERTS: inject("receiverTls").certFile,
            WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
            WEBHOOK_WORKER: mode,
          },
          { viaNpmStart: true },
        );
        return app.process;
      });
      const exit = exited(worker);
      worker.kill("SIGTERM");
      // The receiver answers only once the server is shutting down, with the attempt still open.
      await expect
        .poll(() => app?.output().includes("delivery worker stopping"), { timeout: 15_000 })
        .toBe(true);
      expect(worker.exitCode).toBeNull();
      receiver.releaseHeld();
      expect(await exit).toEqual({ code: 0, signal: null });
      const delivery = await deliveryOf(deliveryId);
      expect([delivery.status, delivery.attemptRows.map((a) => a.responseStatus)]).toEqual([
        "success",
        [200],
      ]);
    },
    60_000,
  );

  it("loses nothing when killed mid-delivery: the lease runs out and another worker sends again", async () => {
    const { deliveryId, worker } = await publishAndWaitUntilInFlight();
    const exit = exited(worker);
    worker.kill("SIGKILL");
    expect((await exit).signal).toBe("SIGKILL");
    receiver.releaseHeld(); // the killed worker's connection is gone; this answers nobody
    expect((await deliveryOf(deliveryId)).status).toBe("pending");

    // Before the lease runs out nobody may resend; after it, the next worker does.
    expect(await runDueDeliveries({ now: Date.now() })).toBe(0);
    const afterLease = Date.now() + getEnv().WEBHOOK_TIMEOUT_MS * 2 + 5_001;
    const resend = runDueDeliveries({ now: afterLease });
    await expect.poll(() => requestsFor(deliveryId).length, { timeout: 30_000 }).toBe(2);
    receiver.releaseHeld();
    expect(await resend).toBe(1);

    // One recorded attempt, two requests carrying the same id: receivers can de-duplicate.
    const delivery = await deliveryOf(deliveryId);
    expect([delivery.status, delivery.attemptRows.length]).toEqual(["success", 1]);
  }, 60_000);

  it("npm start killed outright: its server and worker process stop too, not left running", async () => {
    const app = await startAppServer({}, { viaNpmStart: true });
    // npm start is node running scripts/start.ts under the tsx launcher the test spawned.
    const [start] = childrenOf(app.process.pid ?? 0);
    const parts = childrenOf(start ?? 0);
    expect(parts).toHaveLength(2);
    process.kill(start ?? 0, "SIGKILL");
    await expect
      .poll(() => parts.filter((pid) => fs.existsSync(`/proc/${pid}`)), { timeout: 20_000 })
      .toEqual([]);
    app.process.kill("SIGKILL");
  }, 60_000);
});

/** The ids of a process's children (Linux's /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // stat: pid (comm) state ppid …; comm may hold spaces, so read after its closing parenthesis.
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}
