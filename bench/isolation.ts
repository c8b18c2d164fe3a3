/**
 * The noisy-neighbour run of `npm run bench`: one tenant has 200 webhooks on tarpits (5 ports of
 * one machine that accept a request and never answer) and publishes an event for all of them every
 * second; another tenant publishes single events, 5 a second, to one healthy receiver. Measures
 * the healthy tenant's publish→receipt while the tarpits hold their attempts until the timeout and
 * their circuits open (goal: p95 ≤ 2 s; before fair sharing it was 39 s).
 */
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { percentile } from "./stats";

const TARPIT_PORTS = 5;
const STUCK_WEBHOOKS = 200;
const HEALTHY_EVENTS_PER_SECOND = 5;
const SECONDS = Number(process.env.BENCH_ISOLATION_SECONDS ?? 30);
const EVENT = "shift.request.created"; // an event no other bench webhook listens to

export type Tls = { certFile: string; keyFile: string };

/** An HTTPS receiver on 127.0.0.1 with the bench certificate, on a port of its own. */
export async function listen(tls: Tls, handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = https.createServer(
    { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export async function benchIsolation({
  baseUrl,
  operatorKey,
  stuck,
  healthy,
  tls,
}: {
  baseUrl: string;
  operatorKey: string;
  /** The tenant whose endpoints never answer: its API token and a facility only it listens to. */
  stuck: { token: string; facilityId: string };
  healthy: { token: string; facilityId: string };
  tls: Tls;
}): Promise<string> {
  const latencies: number[] = [];
  let held = 0;
  const tarpits = await Promise.all(
    Array.from({ length: TARPIT_PORTS }, () =>
      listen(tls, (req) => {
        held++;
        req.resume(); // read the request, never answer it
      }),
    ),
  );
  const receiver = await listen(tls, (req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      latencies.push(Date.now() - (JSON.parse(body) as { data: { publishedAt: number } }).data.publishedAt);
      res.end("ok");
    });
  });
  const createWebhook = async (token: string, url: string, facilityId: string) => {
    const response = await fetch(`${baseUrl}/api/v2/public/webhooks/facility`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ url, events: [EVENT], facilities: [facilityId] }),
    });
    if (response.status !== 201) throw new Error(`creating a bench webhook answered ${response.status}`);
  };
  const publish = async (facilityId: string) => {
    const response = await fetch(`${baseUrl}/api/internal/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
      body: JSON.stringify({ eventType: EVENT, facilityId, data: { publishedAt: Date.now() } }),
    });
    if (response.status !== 201) throw new Error(`publishing answered ${response.status}`);
  };
  try {
    for (let i = 0; i < STUCK_WEBHOOKS; i++) {
      const port = tarpits[i % TARPIT_PORTS]?.port;
      await createWebhook(stuck.token, `https://127.0.0.1:${port}/tarpit/${i}`, stuck.facilityId);
    }
    await createWebhook(healthy.token, `https://127.0.0.1:${receiver.port}/healthy`, healthy.facilityId);

    // Open loop: the stuck tenant's event on each second, the healthy tenant's single events between.
    const started = Date.now();
    const published: Promise<void>[] = [];
    const ticks = SECONDS * HEALTHY_EVENTS_PER_SECOND;
    for (let i = 0; i < ticks; i++) {
      const due = started + (i * 1000) / HEALTHY_EVENTS_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      if (i % HEALTHY_EVENTS_PER_SECOND === 0) published.push(publish(stuck.facilityId));
      published.push(publish(healthy.facilityId));
    }
    await Promise.all(published);
    const deadline = Date.now() + 60_000;
    while (latencies.length < ticks && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a benchmark waiting for its receiver
    }
    const p = (n: number) => percentile(latencies, n);
    return `noisy neighbour (${STUCK_WEBHOOKS} webhooks of one tenant on ${TARPIT_PORTS} tarpit ports, an event for all of them each second; another tenant's single events, ${HEALTHY_EVENTS_PER_SECOND}/s, to a healthy receiver; ${SECONDS} s, worker as its own process): healthy tenant ${latencies.length}/${ticks} received, publish→receipt p50 ${p(50)} ms, p95 ${p(95)} ms, p99 ${p(99)} ms; the tarpits were sent ${held} requests for ${SECONDS * STUCK_WEBHOOKS} deliveries`;
  } finally {
    for (const { server } of [...tarpits, receiver]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
