/**
 * The operator's view: /api/health, request ids in answers and in the JSON log, /metrics. The
 * health checks run in-process against this file's database; the database outage, the log and the
 * metrics through real `next start` servers.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as health from "../app/api/health/route";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { getEnv } from "../server/env";
import { beat, endHeartbeat } from "../server/operations/heartbeat";
import { createWebhook } from "../server/webhooks/webhook.service";
import { type AppServer, createTenant, startAppServer, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let tenant: Tenant;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const servers: AppServer[] = [];

beforeAll(async () => {
  tenant = await createTenant(1);
  receiver = await startReceiver(inject("receiverTls"));
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url("/ops"), events: ["shift.created"], facilities: tenant.facilityIds },
  });
});
afterAll(async () => {
  for (const server of servers) server.process.kill("SIGKILL");
  await receiver.close();
});

const healthNow = async () => {
  const answer = await health.GET(new Request("http://localhost/api/health"));
  return { status: answer.status, body: await answer.json() };
};

const serve = async (env: Record<string, string>) => {
  const server = await startAppServer(env);
  servers.push(server);
  return server;
};

/** The server's log lines (JSON) so far. */
const logLines = (server: AppServer) =>
  server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("GET /api/health", () => {
  it("answers 200 with every check passing and the queue while a worker beats", async () => {
    await publishEvent({ eventType: "shift.created", facilityId: tenant.facilityIds[0], data: {} });
    await beat(getDb(), "worker-a", new Date());
    const { status, body } = await healthNow();
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(Object.values(body.checks).map((check) => (check as { ok: boolean }).ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(body.queue.pending).toBeGreaterThanOrEqual(1);
    expect(body.queue.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("answers 503 naming the worker when no worker beats, or its last beat is stale", async () => {
    await endHeartbeat(getDb(), "worker-a");
    let { status, body } = await healthNow();
    expect(status).toBe(503);
    expect(body.checks.worker).toEqual({ ok: false, detail: "no delivery worker is running" });
    expect(body.checks.database.ok).toBe(true);

    await beat(getDb(), "worker-b", new Date(), new Date(Date.now() - 60_000));
    ({ status, body } = await healthNow());
    expect(status).toBe(503);
    expect(body.checks.worker.detail).toMatch(/^last heartbeat 6\d s ago$/);
    await endHeartbeat(getDb(), "worker-b");
  });

  it("answers 503 naming a committed migration the database lacks", async () => {
    await beat(getDb(), "worker-c", new Date());
    const [latest] = await getDb().$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`;
    const name = latest?.migration_name ?? "";
    await getDb()
      .$executeRaw`UPDATE "_prisma_migrations" SET "migration_name" = 'renamed' WHERE "migration_name" = ${name}`;
    try {
      const { status, body } = await healthNow();
      expect(status).toBe(503);
      expect(body.checks.migrations).toEqual({ ok: false, detail: `not applied: ${name}` });
    } finally {
      await getDb()
        .$executeRaw`UPDATE "_prisma_migrations" SET "migration_name" = ${name} WHERE "migration_name" = 'renamed'`;
      await endHeartbeat(getDb(), "worker-c");
    }
  });

  it("answers 503 naming the database when it cannot be reached, logging the cause under the request id it answers", async () => {
    const unreachable =
      getEnv().provider === "sqlite"
        ? "file:/etc/hostname/webhooks.db" // under a file: no directory can be made there
        : "postgresql://webhooks:webhooks@127.0.0.1:1/webhooks";
    const server = await serve({ DATABASE_URL: unreachable });
    const answer = await fetch(`${server.url}/api/health`, { headers: { "x-request-id": "probe-0001" } });
    expect(answer.status).toBe(503);
    expect((await answer.json()).checks.database).toEqual({ ok: false, detail: "unreachable" });
    expect(answer.headers.get("x-request-id")).toBe("probe-0001");

    await expect
      .poll(() => logLines(server).filter((line) => line.requestId === "probe-0001").length)
      .toBe(2);
    const lines = logLines(server).filter((line) => line.requestId === "probe-0001");
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      ["error", "health: the database check failed"],
      ["info", "request"],
    ]);
    expect(lines[0]?.err).toMatchObject({ message: expect.any(String) });
    expect(lines[1]).toMatchObject({ method: "GET", route: "/api/health", status: 503 });
  });
});

describe("request ids", () => {
  it("every answer carries one: the caller's when it is a plain token, else a new one", async () => {
    const [server] = servers as [AppServer];
    for (const path of ["/login", "/api/v2/public/webhooks/facility", "/api/v2/public/openapi.json"]) {
      const kept = await fetch(`${server.url}${path}`, { headers: { "x-request-id": "trace-abc.123" } });
      expect(kept.headers.get("x-request-id")).toBe("trace-abc.123");
      const hostile = await fetch(`${server.url}${path}`, { headers: { "x-request-id": "<script>\u00e9" } });
      expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("GET /metrics", () => {
  it("does not exist without METRICS_TOKEN", async () => {
    const [withoutToken] = servers as [AppServer];
    expect((await fetch(`${withoutToken.url}/metrics`)).status).toBe(404);
  });

  it.each([
    ["a worker inside the server", "embedded"],
    ["npm start's worker process, reporting through npm start", "process"],
  ])(
    "refuses a wrong token, and exposes request durations by route and status, attempts by outcome (%s), and the queue",
    async (_name, mode) => {
      const token = "metrics-token-0123456789";
      const env = {
        METRICS_TOKEN: token,
        WEBHOOK_WORKER: mode,
        NODE_EXTRA_CA_CERTS: inject("receiverTls").certFile,
      };
      const server = mode === "process" ? await startAppServer(env, { viaNpmStart: true }) : await serve(env);
      if (mode === "process") servers.push(server); // serve() keeps its own
      expect(
        (await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status,
      ).toBe(401);
      const bearer = { authorization: `Bearer ${tenant.client.token}` };
      expect((await fetch(`${server.url}/api/v2/public/webhooks/facility`, { headers: bearer })).status).toBe(
        200,
      );
      const before = receiver.received.length;
      await publishEvent({ eventType: "shift.created", facilityId: tenant.facilityIds[0], data: {} });
      await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBeGreaterThan(before);

      const scrape = async () =>
        (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      // A worker process reports its attempts once a second.
      await expect
        .poll(scrape, { timeout: 10_000 })
        .toMatch(/^webhook_delivery_attempts_total\{outcome="success"\} [1-9]/m);
      const text = await scrape();
      expect(text).toMatch(
        /^http_request_duration_seconds_count\{route="\/api\/v2\/public\/webhooks\/facility",method="GET",status="200"\} 1$/m,
      );
      expect(text).toMatch(/^webhook_delivery_attempt_duration_seconds_count [1-9]/m);
      expect(text).toMatch(/^webhook_deliveries_pending \d+$/m);
      expect(text).toMatch(/^webhook_oldest_pending_delivery_age_seconds [\d.]+$/m);
      // Its worker must not send the next case's delivery: that one is for the other layout's worker.
      const exited = new Promise((resolve) => server.process.once("exit", resolve));
      server.process.kill("SIGTERM");
      await exited;
    },
  );
});

describe("compression", () => {
  it("leaves API writes' short answers as they are and still gzips lists", async () => {
    const operatorKey = "operator-key-for-tests-0123456789abcdef";
    const server = await serve({ OPERATOR_KEY: operatorKey, WEBHOOK_WORKER: "off" });
    const gzip = { "accept-encoding": "gzip" };
    const published = await fetch(`${server.url}/api/internal/events`, {
      method: "POST",
      headers: { ...gzip, authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
      body: JSON.stringify({ eventType: "shift.created", facilityId: tenant.facilityIds[0], data: {} }),
    });
    expect(published.status).toBe(201);
    expect(published.headers.get("content-encoding")).toBeNull();
    expect(((await published.json()) as { data: { deliveries: number } }).data.deliveries).toBe(1);

    const list = await fetch(`${server.url}/api/v2/public/webhooks/facility`, {
      headers: { ...gzip, authorization: `Bearer ${tenant.client.token}` },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get("content-encoding")).toBe("gzip");
  });
});
