/**
 * A deploy drops no request: on SIGTERM the server says so to balancers at once (/api/health and
 * /api/health/ready answer 503), keeps serving through SHUTDOWN_DRAIN_MS, then stops accepting,
 * answers what is in flight and exits 0.
 */
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ready from "../app/api/health/ready/route";
import { setWarmingUp } from "../server/operations/lifecycle";
import { createWebhook } from "../server/webhooks/webhook.service";
import { type AppServer, createTenant, startAppServer, type Tenant } from "./helpers";

let app: AppServer;
let tenant: Tenant;
let webhookId: string;

beforeAll(async () => {
  tenant = await createTenant(1);
  webhookId = (
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: "https://receiver.example/drain", events: ["shift.created"] },
    })
  ).id;
  app = await startAppServer({ SHUTDOWN_DRAIN_MS: "1500" });
}, 60_000);
afterAll(() => {
  if (app.process.exitCode === null) app.process.kill("SIGKILL");
});

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

const status = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, { headers }).then(
    (r) => r.status,
    () => "refused" as const,
  );

/** A PATCH whose body arrives in two parts: in flight from its headers until `finish` sends the rest. */
function patchInTwoParts() {
  const body = JSON.stringify({ url: "https://receiver.example/after-the-drain" });
  const { port } = new URL(app.url);
  const request = http.request({
    host: "127.0.0.1",
    port,
    method: "PATCH",
    path: `/api/v2/public/webhooks/facility/${webhookId}`,
    headers: {
      authorization: `Bearer ${tenant.client.token}`,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    },
  });
  const answer = new Promise<{ status: number; body: string; connection: string | undefined }>(
    (resolve, reject) => {
      request.on("response", (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: text, connection: response.headers.connection }),
        );
      });
      request.on("error", reject);
    },
  );
  const connected = new Promise((resolve) =>
    request.once("socket", (socket) => socket.once("connect", resolve)),
  );
  request.write(body.slice(0, 10));
  return { answer, connected, finish: () => request.end(body.slice(10)) };
}

describe("graceful drain", () => {
  it("answers 503 to health checks at once on SIGTERM, serves through the drain, finishes what is in flight, exits 0", async () => {
    const bearer = { authorization: `Bearer ${tenant.client.token}` };
    // Ready once it has warmed its routes (the first request to each loads its code).
    await expect.poll(() => status("/api/health/ready"), { timeout: 30_000 }).toBe(200);
    expect(app.output()).toContain("warmed up: ready for requests");
    expect(await status("/api/health/live")).toBe(200);
    const inFlight = patchInTwoParts();
    await inFlight.connected;
    const exit = exited(app.process);
    app.process.kill("SIGTERM");

    // At once: the balancers are told; requests are still served (on a connection that then closes).
    // (Readiness is polled: it was 200 before the signal. /api/health answers 503 here even before
    // it, for want of a worker heartbeat, so its body says whether the drain has begun.)
    await expect.poll(() => status("/api/health/ready")).toBe(503);
    const health = await fetch(`${app.url}/api/health`);
    expect([health.status, (await health.json()).status]).toEqual([503, "draining"]);
    expect(await status("/api/health/live")).toBe(200);
    expect(await status("/api/v2/public/webhooks/facility", bearer)).toBe(200);

    // After the drain: no new connection is accepted, but the request in flight is answered.
    await expect.poll(() => status("/api/health/live"), { timeout: 10_000 }).toBe("refused");
    expect(app.process.exitCode).toBeNull(); // still waiting for the PATCH's body
    inFlight.finish();
    const answered = await inFlight.answer;
    expect(answered.status).toBe(201); // the contract's status for an update
    expect(JSON.parse(answered.body).data.url).toBe("https://receiver.example/after-the-drain");
    expect(answered.connection).toBe("close");
    expect(await exit).toBe(0);
  }, 60_000);

  it("says it is starting, not ready, while the production server warms its routes", async () => {
    setWarmingUp(true);
    try {
      const starting = await ready.GET(new Request("http://localhost/api/health/ready"));
      expect([starting.status, (await starting.json()).status]).toEqual([503, "starting"]);
    } finally {
      setWarmingUp(false);
    }
    const warmed = await ready.GET(new Request("http://localhost/api/health/ready"));
    expect([warmed.status, (await warmed.json()).status]).toEqual([200, "ready"]);
  });
});
