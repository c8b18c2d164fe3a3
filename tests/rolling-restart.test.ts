/**
 * A deploy as production runs one: two app instances (the production build, each with its embedded
 * worker) on one PostgreSQL behind a real HAProxy — round robin, checking /api/health/ready every
 * 500 ms, retrying only requests that never reached a server — each sent SIGTERM and started again
 * in turn under a steady load of PATCHes and publishes. No request may fail; no delivery may be
 * lost or sent twice at once.
 */
process.env.OPERATOR_KEY = "operator-key-for-tests-0123456789abcdef";
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startCountingReceiver } from "./counting-receiver";
import { type AppServer, createTenant, freePort, startAppServer } from "./helpers";

const built = fs.existsSync(path.join(import.meta.dirname, "../.next/BUILD_ID"));
const haproxy = (() => {
  try {
    execFileSync("haproxy", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
/** Concurrent clients of the load, each sending its next request when the last is answered. */
const CLIENTS = 6;
// HAProxy takes a server out after two failed checks 500 ms apart (each may take up to 2 s on a
// loaded machine): the drain outlasts that with room to spare.
const DRAIN_MS = 4_000;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** HAProxy as an operator would configure it for this app, in front of `ports`. */
async function startHaproxy(ports: number[]) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-"));
  const socket = path.join(dir, "admin.sock");
  const config = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(
    config,
    `global
  maxconn 1000
  stats socket ${socket} mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
  # Only requests that never reached a server are tried again (safe for PATCH and POST).
  retries 3
  retry-on conn-failure
  option redispatch
frontend web
  bind 127.0.0.1:${port}
  default_backend app
backend app
  balance roundrobin
  option httpchk GET /api/health/ready
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${ports.map((p, i) => `  server app${i} 127.0.0.1:${p} check`).join("\n")}
`,
  );
  const child = spawn("haproxy", ["-f", config, "-db"], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await expect
    .poll(
      () =>
        fetch(`${url}/api/health/live`).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout: 10_000 },
    )
    .toBe(200);
  /** How many of the servers HAProxy sends requests to now (its runtime API: `show servers state`). */
  const serversUp = () =>
    new Promise<number>((resolve, reject) => {
      let answer = "";
      const connection = net.connect(socket, () => connection.end("show servers state app\n"));
      connection.on("data", (chunk: Buffer) => {
        answer += chunk.toString();
      });
      connection.on("error", reject);
      // Columns: be_id be_name srv_id srv_name srv_addr srv_op_state (2: running) …
      connection.on("end", () =>
        resolve(answer.split("\n").filter((line) => line.split(" ")[5] === "2").length),
      );
    });
  return { url, process: child, serversUp };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe.skipIf(getEnv().provider !== "postgresql" || !built || !haproxy)(
  "a rolling restart behind HAProxy",
  () => {
    it("fails no request and loses or doubles no delivery while each instance is restarted in turn", async () => {
      const receiver = await startCountingReceiver(inject("receiverTls"));
      cleanups.push(receiver.close);
      const tenant = await createTenant(1);
      const facilityId = tenant.facilityIds[0] ?? "";
      const webhook = await createWebhook({
        principal: tenant.clientPrincipal,
        input: { url: `${receiver.url}/rolling`, events: ["shift.scheduled"], facilities: [facilityId] },
      });
      const env = {
        WEBHOOK_WORKER: "embedded",
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        NODE_EXTRA_CA_CERTS: inject("receiverTls").certFile,
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
        API_RATE_LIMIT_PER_MINUTE: "0",
      };
      const ports = [await freePort(), await freePort()];
      const apps: AppServer[] = await Promise.all(ports.map((port) => startAppServer(env, { port })));
      cleanups.push(() => {
        for (const app of apps) app.process.kill("SIGKILL");
      });
      const proxy = await startHaproxy(ports);
      cleanups.push(() => proxy.process.kill("SIGKILL"));
      // As an operator deploys: traffic once the balancer sends to both instances, and the next
      // restart only once it does again (a started instance is ready after its warm-up, then
      // HAProxy's two passing checks).
      const bothInRotation = () => expect.poll(() => proxy.serversUp(), { timeout: 30_000 }).toBe(2);
      await bothInRotation();

      // The load: PATCHes and publishes through HAProxy, every answer checked.
      const failures: string[] = [];
      const eventIds: string[] = [];
      let requests = 0;
      let loading = true;
      const client = async (n: number) => {
        for (let i = 0; loading; i++) {
          const publish = i % 3 === 0;
          const answer = await fetch(
            publish
              ? `${proxy.url}/api/internal/events`
              : `${proxy.url}/api/v2/public/webhooks/facility/${webhook.id}`,
            {
              method: publish ? "POST" : "PATCH",
              headers: {
                authorization: `Bearer ${publish ? process.env.OPERATOR_KEY : tenant.client.token}`,
                "content-type": "application/json",
              },
              body: JSON.stringify(
                publish
                  ? { eventType: "shift.scheduled", facilityId, data: { client: n, i } }
                  : { url: `${receiver.url}/rolling`, events: ["shift.scheduled"] },
              ),
            },
          ).then(
            async (response) => ({ status: response.status, body: await response.text() }),
            (error: Error) => ({ status: 0, body: String(error.cause ?? error) }),
          );
          requests++;
          if (answer.status !== 201)
            failures.push(`${publish ? "POST" : "PATCH"} ${answer.status} ${answer.body.slice(0, 200)}`);
          else if (publish) eventIds.push(JSON.parse(answer.body).data.eventId);
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));

      for (const [i, app] of apps.entries()) {
        await bothInRotation();
        await expect.poll(() => requests, { timeout: 20_000 }).toBeGreaterThan((i + 1) * 200);
        const exit = exited(app.process);
        app.process.kill("SIGTERM");
        expect(await exit).toBe(0);
        apps[i] = await startAppServer(env, { port: ports[i] });
      }
      await bothInRotation();
      await expect.poll(() => requests, { timeout: 20_000 }).toBeGreaterThan(requests + 200);
      loading = false;
      await load;

      expect(failures).toEqual([]);
      const ids = (
        await getDb().delivery.findMany({ where: { eventId: { in: eventIds } }, select: { id: true } })
      ).map((d) => d.id);
      expect(ids).toHaveLength(eventIds.length);
      await expect
        .poll(() => ids.filter((id) => !receiver.arrivals.has(id)).length, { timeout: 60_000 })
        .toBe(0); // none lost
      expect(receiver.mostAtOnce()).toBe(1); // none sent twice at once
      expect(ids.filter((id) => (receiver.arrivals.get(id)?.length ?? 0) > 1)).toEqual([]); // nor twice at all
    }, 240_000);
  },
);
