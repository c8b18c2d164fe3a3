/**
 * The delivery run of `npm run bench`: events are published through the operator endpoint at a
 * fixed offered rate (BENCH_EVENTS_PER_SECOND, default 200, in batches every 100 ms, for
 * BENCH_DELIVERY_SECONDS, default 10) and fan out to WEBHOOKS webhooks on a local HTTPS receiver
 * that verifies every signature; measures verified deliveries per second and the time from
 * publish to receipt (the publish time travels in the event's data).
 */
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { verifySignature } from "../server/webhooks/signature";

export const OPERATOR_KEY = "bench-operator-key-0123456789abcdefghij";
const SECRET = "bench-secret-0123456789abcdefghij";
const WEBHOOKS = 3;
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 200);
const SECONDS = Number(process.env.BENCH_DELIVERY_SECONDS ?? 10);
const BATCHES_PER_SECOND = 10;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export async function benchDeliveries({
  baseUrl,
  token,
  facilityId,
  tls,
}: {
  baseUrl: string;
  token: string;
  facilityId: string;
  tls: { certFile: string; keyFile: string };
}): Promise<string> {
  const latencies: number[] = [];
  let invalid = 0;
  let lastReceipt = 0;
  const receive = (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const now = Date.now();
      if (
        verifySignature({ header: req.headers["nursa-signature"] as string, rawBody: body, secret: SECRET })
      ) {
        latencies.push(now - (JSON.parse(body) as { data: { publishedAt: number } }).data.publishedAt);
        lastReceipt = now;
      } else invalid++;
      res.end("ok");
    });
  };
  // Each webhook has a receiver of its own (its own port: its own host to the worker's per-host
  // limit), as each facility's system is on the platform.
  const servers = Array.from({ length: WEBHOOKS }, () =>
    https.createServer({ cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) }, receive),
  );
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve) =>
          server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
        ),
    ),
  );
  try {
    for (let i = 0; i < WEBHOOKS; i++) {
      const response = await fetch(`${baseUrl}/api/v2/public/webhooks/facility`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          url: `https://127.0.0.1:${ports[i]}/hook/${i}`,
          events: ["shift.report.accepted"], // an event none of the seeded webhooks listens to
          facilities: [facilityId],
          secrets: [SECRET],
        }),
      });
      if (response.status !== 201) throw new Error(`creating a bench webhook answered ${response.status}`);
    }
    // Open loop: a batch every 100 ms whatever the server's pace, as the platform would publish.
    const started = Date.now();
    const perBatch = Math.round(EVENTS_PER_SECOND / BATCHES_PER_SECOND);
    const batches = SECONDS * BATCHES_PER_SECOND;
    const published: Promise<void>[] = [];
    for (let i = 0; i < batches; i++) {
      const due = started + (i * 1000) / BATCHES_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      const batch = Array.from({ length: perBatch }, () => ({
        eventType: "shift.report.accepted",
        facilityId,
        data: { publishedAt: Date.now() },
      }));
      published.push(
        fetch(`${baseUrl}/api/internal/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }).then((response) => {
          if (response.status !== 201) throw new Error(`publishing answered ${response.status}`);
        }),
      );
    }
    await Promise.all(published);
    const expected = perBatch * batches * WEBHOOKS;
    const deadline = Date.now() + 180_000;
    while (latencies.length + invalid < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a benchmark waiting for its receiver
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const seconds = (lastReceipt - started) / 1000;
    return `deliveries (${EVENTS_PER_SECOND} events/s offered × ${WEBHOOKS} webhooks for ${SECONDS} s, worker as its own process): ${latencies.length}/${expected} verified (${invalid} bad signatures) in ${seconds.toFixed(1)} s = ${(latencies.length / seconds).toFixed(0)} verified deliveries/s; publish→receipt p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms`;
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
