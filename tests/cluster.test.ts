/**
 * The delivery system spread out as production runs it on PostgreSQL: two app instances (the
 * production build) publishing, two `npm run worker` processes sending, one database. 10,000
 * deliveries: none lost, none sent twice at once; when one worker is killed mid-run, only what it
 * had in flight (sent, outcome not yet written) may arrive a second time (same delivery id).
 */
process.env.OPERATOR_KEY = "operator-key-for-tests-0123456789abcdef";
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startCountingReceiver } from "./counting-receiver";
import { type AppServer, createTenant, startAppServer, startWorkerProcess } from "./helpers";

const built = fs.existsSync(path.join(import.meta.dirname, "../.next/BUILD_ID"));
const WEBHOOKS = 5;
const EVENTS = 2_000;
const BATCH = 250;
const WORKER_CONCURRENCY = 50;
const workerEnv = {
  WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
  WEBHOOK_CONCURRENCY: String(WORKER_CONCURRENCY),
  WEBHOOK_PER_HOST_CONCURRENCY: String(WORKER_CONCURRENCY),
  // The lease (twice the timeout + 5 s = 25 s) runs out well within the test, and no attempt times
  // out on a loaded machine: a timed-out attempt's retry would be 5 minutes away.
  WEBHOOK_TIMEOUT_MS: "10000",
};

/** The local ports of a process's TCP connections to `remotePort` on 127.0.0.1 (Linux's /proc). */
function connectionPorts(pid: number, remotePort: number): Set<number> {
  const inodes = new Set(
    fs
      .readdirSync(`/proc/${pid}/fd`)
      .map((fd) => /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1])
      .filter(Boolean),
  );
  const ports = new Set<number>();
  for (const line of fs.readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const [, local = "", remote = "", , , , , , , inode = ""] = line.trim().split(/\s+/);
    if (inodes.has(inode) && Number.parseInt(remote.split(":")[1] ?? "", 16) === remotePort) {
      ports.add(Number.parseInt(local.split(":")[1] ?? "", 16));
    }
  }
  return ports;
}

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(getEnv().provider !== "postgresql" || !built)(
  "two apps and two workers on one PostgreSQL",
  () => {
    it("deliver 10,000: none lost, none twice at once, repeats only of what a killed worker had in flight", async () => {
      const receiver = await startCountingReceiver(inject("receiverTls"));
      cleanups.push(receiver.close);
      const tenant = await createTenant(1);
      const facilityId = tenant.facilityIds[0] ?? "";
      for (let i = 0; i < WEBHOOKS; i++) {
        await createWebhook({
          principal: tenant.clientPrincipal,
          input: {
            url: `${receiver.url}/cluster/${i}`,
            events: ["shift.scheduled"],
            facilities: [facilityId],
          },
        });
      }
      const apps: AppServer[] = await Promise.all([startAppServer(), startAppServer()]);
      for (const app of apps) cleanups.push(() => app.process.kill("SIGKILL"));
      const workers = [startWorkerProcess(workerEnv), startWorkerProcess(workerEnv)];
      for (const worker of workers) cleanups.push(() => worker.kill("SIGKILL"));

      const expected = EVENTS * WEBHOOKS;
      // One worker is killed outright mid-run, while events are still being published.
      const kill = (async () => {
        await expect.poll(receiver.received, { timeout: 60_000, interval: 20 }).toBeGreaterThan(expected / 4);
        const victim = workers[0] as ChildProcess;
        // Its connections identify what it sent: the receiver may read a request the worker wrote
        // just before it died after the kill, so arrival times alone cannot tell.
        const ports = connectionPorts(victim.pid as number, receiver.port);
        victim.kill("SIGKILL");
        return { ports, received: receiver.received() };
      })();

      // Published through both apps, in batches.
      const eventIds: string[] = [];
      for (let start = 0; start < EVENTS; start += BATCH) {
        const app = apps[(start / BATCH) % apps.length] as AppServer;
        const response = await fetch(`${app.url}/api/internal/events`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${process.env.OPERATOR_KEY}`,
            "content-type": "application/json",
          },
          body: JSON.stringify(
            Array.from({ length: BATCH }, (_, i) => ({
              eventType: "shift.scheduled",
              facilityId,
              data: { n: start + i },
            })),
          ),
        });
        expect(response.status).toBe(201);
        eventIds.push(
          ...((await response.json()) as { data: { eventId: string }[] }).data.map((p) => p.eventId),
        );
      }
      const killed = await kill;
      expect(killed.received).toBeLessThan(expected); // mid-run indeed

      const deliveries = () =>
        getDb().delivery.groupBy({ by: ["status"], where: { eventId: { in: eventIds } }, _count: true });
      await expect
        .poll(async () => (await deliveries()).map((g) => [g.status, g._count]), {
          timeout: 120_000,
          interval: 500,
        })
        .toEqual([["success", expected]]);

      const ids = (
        await getDb().delivery.findMany({ where: { eventId: { in: eventIds } }, select: { id: true } })
      ).map((d) => d.id);
      expect(ids).toHaveLength(expected);
      expect(ids.filter((id) => !receiver.arrivals.has(id))).toEqual([]); // none lost
      expect(receiver.mostAtOnce()).toBe(1); // none sent twice at once
      const repeated = ids.filter((id) => (receiver.arrivals.get(id)?.length ?? 0) > 1);
      // In flight at a worker: its attempts being sent, and answered ones whose outcomes wait for
      // their group's write (up to four times the pool before it stops claiming).
      expect(repeated.length).toBeLessThanOrEqual(WORKER_CONCURRENCY * 5);
      for (const id of repeated) {
        const [firstFrom] = receiver.arrivals.get(id) ?? [];
        expect(killed.ports).toContain(firstFrom); // it was in flight at the killed worker
      }
      // One recorded attempt per delivery, the killed worker's unfinished ones included.
      expect(await getDb().deliveryAttempt.count({ where: { deliveryId: { in: ids } } })).toBe(expected);
    }, 300_000);
  },
);
