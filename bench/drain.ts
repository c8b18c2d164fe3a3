/**
 * The backlog drain of `npm run bench`, with the machine's limit beside it. BENCH_BACKLOG (20,000)
 * deliveries wait when a worker process starts; it sends them to RECEIVERS local HTTPS receivers.
 * Then a bare sender — node's HTTPS client with keep-alive, the same signatures, the worker's
 * concurrency, deliveries pre-built in memory, no database — sends as many to the same receivers.
 * Reports both rates, the CPU each spent per delivery, and the worker's share of the limit.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import { DELIVERY_ID_HEADER } from "../server/deliveries/send";
import { SIGNATURE_HEADER, signatureHeader, standardWebhookHeaders } from "../server/webhooks/signature";
import { listen, type Tls } from "./isolation";

const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 20_000);
const RECEIVERS = 10;
const BATCH = 500;
const CONCURRENCY = 50; // the worker's default WEBHOOK_CONCURRENCY
const SECRET = "bench-drain-secret-0123456789abcdef";
const EVENT = "shift.scheduled.cancelled"; // an event no other bench webhook listens to

/** CPU seconds a process has used so far (Linux's /proc: user + system, in clock ticks of 10 ms). */
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function benchDrain({
  baseUrl,
  token,
  operatorKey,
  facilityId,
  tls,
  startWorker,
  stopWorker,
  scaling = [],
}: {
  baseUrl: string;
  token: string;
  operatorKey: string;
  facilityId: string;
  tls: Tls;
  startWorker: () => Promise<ChildProcess>;
  stopWorker: (worker: ChildProcess) => Promise<void>;
  /** Worker counts to drain the same backlog with, afterwards (worker scaling; PostgreSQL). */
  scaling?: number[];
}): Promise<string[]> {
  let received = 0;
  let allReceived: () => void = () => {};
  const receivers = await Promise.all(
    Array.from({ length: RECEIVERS }, () =>
      listen(tls, (req, res) => {
        req.resume();
        req.on("end", () => {
          res.end("ok");
          if (++received === BACKLOG) allReceived();
        });
      }),
    ),
  );
  const urls = receivers.map(({ port }, i) => `https://127.0.0.1:${port}/drain/${i}`);
  const untilAllReceived = () => new Promise<void>((resolve) => (allReceived = resolve));
  try {
    for (const url of urls) {
      const response = await fetch(`${baseUrl}/api/v2/public/webhooks/facility`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ url, events: [EVENT], facilities: [facilityId], secrets: [SECRET] }),
      });
      if (response.status !== 201) throw new Error(`creating a drain webhook answered ${response.status}`);
    }
    // The backlog, published while no worker runs: each event makes one delivery per receiver.
    const publishBacklog = async () => {
      for (let published = 0; published < BACKLOG / RECEIVERS; published += BATCH) {
        const count = Math.min(BATCH, BACKLOG / RECEIVERS - published);
        const events = Array.from({ length: count }, (_, i) => ({
          eventType: EVENT,
          facilityId,
          data: { n: published + i },
        }));
        const response = await fetch(`${baseUrl}/api/internal/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
          body: JSON.stringify(events),
        });
        if (response.status !== 201) throw new Error(`publishing the backlog answered ${response.status}`);
      }
    };
    /** The backlog drained by `count` worker processes: deliveries a second, and their CPU per delivery. */
    const drainWith = async (count: number) => {
      received = 0;
      await publishBacklog();
      const done = untilAllReceived();
      const started = performance.now();
      const workers = await Promise.all(Array.from({ length: count }, () => startWorker()));
      const cpuBefore = workers.map((worker) => cpuSecondsOf(worker.pid ?? 0));
      await done;
      const seconds = (performance.now() - started) / 1000;
      const cpu = workers.reduce(
        (sum, worker, i) => sum + cpuSecondsOf(worker.pid ?? 0) - (cpuBefore[i] ?? 0),
        0,
      );
      await Promise.all(workers.map(stopWorker));
      return { rate: BACKLOG / seconds, cpu };
    };

    const { rate: workerRate, cpu: workerCpu } = await drainWith(1);

    // The limit: the same number of signed POSTs, nothing else.
    received = 0;
    const done = untilAllReceived();
    const agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(tls.certFile) });
    const body = JSON.stringify({ data: { n: 0 }, eventType: EVENT });
    const pending = Array.from({ length: BACKLOG }, (_, i) => ({
      url: urls[i % RECEIVERS] ?? "",
      id: randomUUID(),
    }));
    const send = ({ url, id }: { url: string; id: string }) =>
      new Promise<void>((resolve, reject) => {
        const timestamp = Math.floor(Date.now() / 1000);
        const request = https.request(url, {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signatureHeader(body, [SECRET], timestamp),
            [DELIVERY_ID_HEADER]: id,
            ...standardWebhookHeaders(body, [SECRET], id, timestamp),
          },
        });
        request.on("response", (response) => {
          response.resume();
          response.on("end", resolve);
        });
        request.on("error", reject);
        request.end(body);
      });
    const bareStarted = performance.now();
    const bareCpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = pending.pop(); next; next = pending.pop()) await send(next);
      }),
    );
    await done;
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    const bareCpu = process.cpuUsage(bareCpuBefore);
    agent.destroy();

    const bareRate = BACKLOG / bareSeconds;
    const perDelivery = (cpuSeconds: number) => ((cpuSeconds * 1000) / BACKLOG).toFixed(2);
    const scaled: string[] = [];
    for (const count of scaling) {
      const { rate, cpu } = await drainWith(count);
      scaled.push(
        `${count} worker${count === 1 ? "" : "s"} ${rate.toFixed(0)}/s (${perDelivery(cpu)} ms CPU per delivery)`,
      );
    }
    const scalingLine = scaled.length
      ? [
          `worker scaling, the same backlog drained by ${scaling.join(", ")} worker processes: ${scaled.join("; ")}`,
        ]
      : [];
    return [
      `backlog drain (${BACKLOG} deliveries waiting, ${RECEIVERS} receivers): a worker process ${workerRate.toFixed(0)}/s, ${perDelivery(workerCpu)} ms CPU per delivery (its start included); the bare sender ${bareRate.toFixed(0)}/s, ${perDelivery((bareCpu.user + bareCpu.system) / 1e6)} ms CPU per delivery; worker / bare sender ${(workerRate / bareRate).toFixed(2)}×`,
      ...scalingLine,
    ];
  } finally {
    for (const { server } of receivers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
