/**
 * The delivery runs of `npm run bench`: events are published through the operator endpoint at a
 * fixed offered rate for BENCH_DELIVERY_SECONDS (default 10) — in batches every 100 ms
 * (BENCH_EVENTS_PER_SECOND, default 200, to 3 webhooks each), or one event per request as a
 * platform publishing each shift as it happens does — to webhooks on local HTTPS receivers that
 * verify every signature. Measures verified deliveries per second, the time from publish to
 * receipt (the publish time travels in the event's data) and the publish call's own time, after a
 * warm-up of WARM_UP_SECONDS at the same rate whose deliveries are awaited and not counted (the
 * first requests to a fresh server load its route's code).
 */
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { verifySignature } from "../server/webhooks/signature";

export const OPERATOR_KEY = "bench-operator-key-0123456789abcdefghij";
const SECRET = "bench-secret-0123456789abcdefghij";
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_SECOND ?? 200);
const SECONDS = Number(process.env.BENCH_DELIVERY_SECONDS ?? 10);
/** Published at the same rate before each run and not counted: a server that has been serving. */
const WARM_UP_SECONDS = 2;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

export type DeliveryRun = {
  summary: string;
  p99: number;
  /** Every published event was accepted and every delivery verified. */
  complete: boolean;
};

export async function benchDeliveries({
  baseUrl,
  token,
  facilityId,
  tls,
  eventType = "shift.report.accepted",
  webhooks = 3,
  eventsPerSecond = EVENTS_PER_SECOND,
  oneByOne = false,
  layout = "worker as its own process",
}: {
  baseUrl: string;
  token: string;
  facilityId: string;
  tls: { certFile: string; keyFile: string };
  /** An event none of the seeded webhooks (nor another run's) listens to. */
  eventType?: string;
  webhooks?: number;
  eventsPerSecond?: number;
  /** One event per request instead of a batch every 100 ms. */
  oneByOne?: boolean;
  layout?: string;
}): Promise<DeliveryRun> {
  const batchesPerSecond = oneByOne ? eventsPerSecond : 10;
  const latencies: number[] = [];
  const publishMs: number[] = [];
  let failedPublishes = 0;
  let invalid = 0;
  let lastReceipt = 0;
  let warmUpReceived = 0;
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
        const { publishedAt, warmUp } = (JSON.parse(body) as { data: { publishedAt: number; warmUp?: true } })
          .data;
        if (warmUp) warmUpReceived++;
        else {
          latencies.push(now - publishedAt);
          lastReceipt = now;
        }
      } else invalid++;
      res.end("ok");
    });
  };
  // Each webhook has a receiver of its own (its own port: its own host to the worker's per-host
  // limit), as each facility's system is on the platform.
  const servers = Array.from({ length: webhooks }, () =>
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
  const webhookIds: string[] = [];
  try {
    for (let i = 0; i < webhooks; i++) {
      const response = await fetch(`${baseUrl}/api/v2/public/webhooks/facility`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          url: `https://127.0.0.1:${ports[i]}/hook/${i}`,
          events: [eventType],
          facilities: [facilityId],
          secrets: [SECRET],
        }),
      });
      if (response.status !== 201) throw new Error(`creating a bench webhook answered ${response.status}`);
      webhookIds.push(((await response.json()) as { id: string }).id);
    }
    // Open loop: a batch every 100 ms whatever the server's pace, as the platform would publish.
    const perBatch = Math.round(eventsPerSecond / batchesPerSecond);
    const publishFor = async (seconds: number, warmUp: boolean) => {
      const started = Date.now();
      const published: Promise<void>[] = [];
      for (let i = 0; i < seconds * batchesPerSecond; i++) {
        const due = started + (i * 1000) / batchesPerSecond;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        const batch = Array.from({ length: perBatch }, () => ({
          eventType,
          facilityId,
          data: { publishedAt: Date.now(), ...(warmUp && { warmUp }) },
        }));
        const publishedAt = performance.now();
        published.push(
          fetch(`${baseUrl}/api/internal/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${OPERATOR_KEY}`, "content-type": "application/json" },
            body: JSON.stringify(oneByOne ? batch[0] : batch),
          }).then(
            (response) => {
              if (warmUp) return;
              publishMs.push(performance.now() - publishedAt);
              if (response.status !== 201) failedPublishes += perBatch;
            },
            // An overloaded server may not even accept the connection: counted, and the run goes on.
            () => {
              if (!warmUp) failedPublishes += perBatch;
            },
          ),
        );
      }
      await Promise.all(published);
      return started;
    };
    await publishFor(WARM_UP_SECONDS, true);
    const warmUpDeadline = Date.now() + 60_000;
    const warmUpExpected = WARM_UP_SECONDS * batchesPerSecond * perBatch * webhooks;
    while (warmUpReceived < warmUpExpected && Date.now() < warmUpDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a benchmark waiting for its receiver
    }
    const batches = SECONDS * batchesPerSecond;
    const started = await publishFor(SECONDS, false);
    const expected = (perBatch * batches - failedPublishes) * webhooks;
    const deadline = Date.now() + 180_000;
    while (latencies.length + invalid < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a benchmark waiting for its receiver
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const seconds = (lastReceipt - started) / 1000;
    const publishSorted = [...publishMs].sort((a, b) => a - b);
    const how = oneByOne ? "published one by one" : "in batches every 100 ms";
    const summary = `deliveries (${eventsPerSecond} events/s ${how} × ${webhooks} webhooks for ${SECONDS} s, ${layout}): ${latencies.length}/${expected} verified (${invalid} bad signatures, ${failedPublishes} events not accepted) in ${seconds.toFixed(1)} s = ${(latencies.length / seconds).toFixed(0)} verified deliveries/s; publish→receipt p50 ${percentile(sorted, 0.5)} ms, p95 ${percentile(sorted, 0.95)} ms, p99 ${percentile(sorted, 0.99)} ms; publish call p95 ${percentile(publishSorted, 0.95).toFixed(1)} ms`;
    const complete = failedPublishes === 0 && invalid === 0 && latencies.length === expected;
    return { summary, p99: percentile(sorted, 0.99), complete };
  } finally {
    // Gone after the run, so a later run may publish the same event type without feeding these.
    for (const id of webhookIds) {
      await fetch(`${baseUrl}/api/v2/public/webhooks/facility/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
    }
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
