/**
 * The delivery system spread out as production runs it on PostgreSQL: two app instances (the
 * production build) publishing, two `npm run worker` processes sending, one database. 10,000
 * deliveries: none lost, none sent twice at once; when one worker is killed mid-run, only what it
 * had in flight (sent, outcome not yet written) may arrive a second time (same delivery id).
 */
process.env.OPERATOR_KEY = "operator-key-for-tests-0123456789abcdef";
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { createWebhook } from "../server/webhooks/webhook.service";
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
  // A short lease, so the killed worker's deliveries are taken over within the test.
  WEBHOOK_TIMEOUT_MS: "2000",
};

/** Records, per delivery id, every arrival and how many of its requests were ever open at once. */
async function startCountingReceiver(tls: { certFile: string; keyFile: string }) {
  const arrivals = new Map<string, number[]>();
  const open = new Map<string, number>();
  let mostAtOnce = 0;
  const server = https.createServer(
    { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) },
    (req, res) => {
      const id = String(req.headers["webhook-delivery-id"]);
      arrivals.set(id, [...(arrivals.get(id) ?? []), Date.now()]);
      open.set(id, (open.get(id) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, open.get(id) ?? 0);
      const close = () => open.set(id, (open.get(id) ?? 1) - 1);
      res.on("close", close);
      req.resume();
      // A few milliseconds of work, so requests overlap as they do at real receivers.
      req.on("end", () => setTimeout(() => res.end("ok"), Math.random() * 10));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    mostAtOnce: () => mostAtOnce,
    received: () => [...arrivals.values()].reduce((sum, list) => sum + list.length, 0),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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
        workers[0]?.kill("SIGKILL");
        return { at: Date.now(), received: receiver.received() };
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
        const [first = Infinity] = receiver.arrivals.get(id) ?? [];
        expect(first).toBeLessThanOrEqual(killed.at); // it was in flight at the killed worker
      }
      // One recorded attempt per delivery, the killed worker's unfinished ones included.
      expect(await getDb().deliveryAttempt.count({ where: { deliveryId: { in: ids } } })).toBe(expected);
    }, 300_000);
  },
);
