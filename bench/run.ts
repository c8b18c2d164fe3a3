/**
 * `npm run bench`: builds and starts the production server and, in the same run, two references —
 * the framework's floor (app/api/bench/floor, enabled by BENCH_FLOOR=1) and the machine's limit
 * (bench/limit-server.ts: node:http and the bare driver) — then loads each with autocannon
 * (10 connections, BENCH_DURATION seconds a run, product and references alternating BENCH_ROUNDS
 * times, each reported as its median run and each ratio as the median of the rounds'), on SQLite
 * and, when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set, PostgreSQL. Writes bench/results.md;
 * with BENCH_CPU_PROFILE=<dir>, also a CPU profile of the product server per backend. Then a
 * delivery run (bench/deliveries.ts): publishing through the server, sending by `npm run worker`
 * as its own process; a noisy-neighbour run (bench/isolation.ts); and on SQLite, the pages'
 * timings in Chromium (bench/browser.ts). BENCH_ONLY=deliveries runs only the delivery runs,
 * BENCH_ONLY=single-publish only the one-by-one publishing runs through `npm start`,
 * BENCH_ONLY=drain only the backlog drain beside the bare sender (bench/drain.ts), BENCH_ONLY=search
 * only search and erasure at 1,000,000 deliveries (bench/search.ts).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { newEncryptionKey } from "../server/crypto/sealed-secrets";
import { createEmptyDatabase } from "../tests/test-database";
import { createSelfSignedCertificate } from "../tests/tls";
import { benchBrowser } from "./browser";
import { benchDeliveries, OPERATOR_KEY } from "./deliveries";
import { benchDrain } from "./drain";
import { benchIsolation } from "./isolation";
import { median } from "./stats";

const DURATION = Number(process.env.BENCH_DURATION ?? 6);
// This 2-core machine is shared and noisy (the same load swings ±35% between runs 10 s apart):
// several short interleaved rounds, each load reported by its median run, ride out slow spells.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** The REST PATCH load spreads over the seed's last 100 webhooks, the tRPC one over 100 others. */
const SPREAD = 100;
const CONNECTIONS = 10;
// As long as a measured run, so V8 has optimised the product's code path (far larger than the
// floor's) before anything is measured.
const WARM_UP_SECONDS = DURATION;
const PRODUCT_PORT = 3200;
const LIMIT_PORT = 3201;
const NPM_START_PORT = 3202;
/** The single-publish sweep's last step (events a second). */
const MAX_SWEEP_RATE = Number(process.env.BENCH_MAX_SWEEP_RATE ?? 800);
/** Worker processes the backlog is drained with on PostgreSQL, to see when another one pays. */
const WORKER_SCALING = [1, 2, 4];
const ROOT = path.resolve(import.meta.dirname, "..");
const RESULTS = path.join(ROOT, "bench/results.md");
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
const api = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;
const deliveriesOnly = process.env.BENCH_ONLY === "deliveries";
const singlesOnly = process.env.BENCH_ONLY === "single-publish";
const drainOnly = process.env.BENCH_ONLY === "drain";
const searchOnly = process.env.BENCH_ONLY === "search";

type Seed = {
  token: string;
  /** A client owning exactly 50 webhooks. */
  listToken: string;
  sessionToken: string;
  webhookId: string;
  webhookIds: string[];
  facilityIds: string[];
};
type Load = {
  name: string;
  url: string;
  method: "GET" | "PATCH" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** Per-request bodies and answers (autocannon's), made afresh for each run of the load. */
  requests?: () => autocannon.Request[] | Promise<autocannon.Request[]>;
};
type Measure = { rps: number; p50: number; p99: number };
type Row = {
  backend: string;
  scenario: string;
  target: string;
  measure: Measure;
  vsFloor?: number;
  vsLimit?: number;
};

function startServer(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (ready.test(chunk.toString())) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`${command} ${args.join(" ")} exited with ${code}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGINT"); // a clean exit, so a CPU profile gets written
  });

async function load({ url, method, headers, body, requests }: Load, duration = DURATION): Promise<Measure> {
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    requests: await requests?.(),
    connections: CONNECTIONS,
    duration,
  });
  if (result.non2xx || result.errors) {
    throw new Error(
      `${method} ${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`,
    );
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * tRPC updates as the form sends them, with the version each one edits, spread over `ids` as the
 * REST load spreads over its own. A request leases a webhook that no other request in flight is
 * editing and gives it back with the version its answer carried. A run's end drops the answers in
 * flight, so before the next run the versions of the webhooks they edited are read again.
 */
function trpcUpdates(ids: string[], bodies: string[], cookie: string): () => Promise<autocannon.Request[]> {
  const leases = ids.map((id) => ({ id, version: 1, turn: 0 }));
  const free = [...leases];
  const currentVersion = async (id: string) => {
    const input = encodeURIComponent(JSON.stringify({ id }));
    const answer = await fetch(api(PRODUCT_PORT, `/api/trpc/webhooks.byId?input=${input}`), {
      headers: { cookie },
    });
    return ((await answer.json()) as { result: { data: { version: number } } }).result.data.version;
  };
  type Context = { lease?: (typeof leases)[number] };
  return async () => {
    for (const lease of leases.filter((l) => !free.includes(l))) {
      lease.version = await currentVersion(lease.id);
      free.push(lease);
    }
    return [
      {
        setupRequest: (request, context: Context) => {
          const lease = free.shift();
          if (!lease) throw new Error("more requests in flight than webhooks to edit");
          context.lease = lease;
          const body = JSON.parse(bodies[lease.turn++ % bodies.length] ?? "{}");
          return { ...request, body: JSON.stringify({ id: lease.id, version: lease.version, ...body }) };
        },
        onResponse: (_status, answer, context: Context) => {
          const { lease } = context;
          if (!lease) return;
          const data = (JSON.parse(answer) as { result?: { data?: { version?: number } } }).result?.data;
          if (data?.version) lease.version = data.version;
          free.push(lease);
        },
      },
    ];
  };
}

/**
 * PATCHes round-robin over `paths`; each path gets the bodies in turn, counted across runs (every
 * run — product or limit, one database — continues where the last left off, so each PATCH writes).
 */
function spreadPatches(paths: string[], bodies: string[]): () => autocannon.Request[] {
  let sent = 0;
  return () => {
    return [
      {
        setupRequest: (request) => {
          const n = sent++;
          return {
            ...request,
            path: paths[n % paths.length],
            body: bodies[Math.floor(n / paths.length) % bodies.length],
          };
        },
      },
    ];
  };
}

/**
 * The order of round `round` of `n` loads, as a balanced Latin square (Williams): a load run right
 * after another pays for the database work that one left behind (the limit server's burst of
 * writes: a grown SQLite WAL, PostgreSQL's dead rows), so over n rounds each load follows each
 * other load once. (Rotating one order, A B C D then B C D A, keeps every load's predecessor.)
 */
function roundOrder(n: number, round: number): number[] {
  const first = Array.from({ length: n }, (_, i) => (i % 2 ? (i + 1) / 2 : (n - i / 2) % n));
  return first.map((load) => (load + round) % n);
}

/** Each load's runs, round by round. */
type Rounds = Map<string, Measure[]>;

/** Warms each load up, then runs them ROUNDS times interleaved. */
async function alternate(loads: Load[]): Promise<Rounds> {
  const runs: Rounds = new Map(loads.map((item) => [item.name, []]));
  // Unmeasured first: the first load after a start otherwise pays for JIT and cold caches.
  for (const item of loads) await load(item, WARM_UP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const item of roundOrder(loads.length, round).map((i) => loads[i] as Load)) {
      const measure = await load(item);
      console.log(
        `  ${item.name.padEnd(24)} ${measure.rps.toFixed(0).padStart(6)} req/s  p50 ${measure.p50} ms  p99 ${measure.p99} ms`,
      );
      runs.get(item.name)?.push(measure);
    }
  }
  return runs;
}

const runsOf = (rounds: Rounds, name: string) => rounds.get(name) ?? [];

/** A load's median run, figure by figure. */
function medianRun(rounds: Rounds, name: string): Measure {
  const of = (key: keyof Measure) => median(runsOf(rounds, name).map((m) => m[key]));
  return { rps: of("rps"), p50: of("p50"), p99: of("p99") };
}

/**
 * `product` against `reference` as the median of the rounds' ratios: the two run within a round of
 * each other, so a slow spell of the machine (the same load swings ±25% within a run) weighs on
 * both sides of each ratio rather than on one side of a ratio of medians.
 */
function pairedRatio(rounds: Rounds, product: string, reference: string, key: keyof Measure = "rps") {
  const references = runsOf(rounds, reference);
  return median(runsOf(rounds, product).map((m, round) => m[key] / (references[round]?.[key] ?? Number.NaN)));
}

/** First-load JavaScript of the edit page: every script it references, gzipped. */
async function firstLoadJs(seed: Seed): Promise<number> {
  const base = `http://127.0.0.1:${PRODUCT_PORT}`;
  const html = await (
    await fetch(`${base}/webhooks/${seed.webhookId}`, { headers: { cookie: `session=${seed.sessionToken}` } })
  ).text();
  // A `nomodule` script (Next's legacy polyfills) is never fetched by a browser that runs modules.
  const sources = [
    ...new Set(
      [...html.matchAll(/<script([^>]*)>/g)]
        .map((m) => m[1] ?? "")
        .filter((attributes) => !/\bnomodule\b/i.test(attributes))
        .map((attributes) => /\bsrc="([^"]+)"/.exec(attributes)?.[1])
        .filter((source) => source !== undefined),
    ),
  ];
  let total = 0;
  for (const source of sources)
    total += gzipSync(Buffer.from(await (await fetch(new URL(source, base))).arrayBuffer())).length;
  return total;
}

async function benchBackend(backend: "sqlite" | "postgresql", rows: Row[], extras: string[]) {
  console.log(`\n== ${backend} ==`);
  process.env.TEST_DATABASE = backend;
  const database = await createEmptyDatabase("webhooks_bench");
  // The benchmark's one client sends far more than a real one: the per-client limit is off here.
  const env = {
    DATABASE_URL: database.url,
    APP_ENCRYPTION_KEY: newEncryptionKey(),
    API_RATE_LIMIT_PER_MINUTE: "0",
  };
  const seed = JSON.parse(
    execFileSync("node_modules/.bin/tsx", ["bench/seed.ts"], { cwd: ROOT, env: { ...process.env, ...env } })
      .toString()
      .trim()
      .split("\n")
      .at(-1) ?? "",
  ) as Seed;

  // BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of the product server per backend.
  const profile = process.env.BENCH_CPU_PROFILE
    ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROFILE]
    : [];
  // The production server as `npm start` runs it (scripts/serve.ts), without its preparations.
  const product = await startServer(
    "node",
    [...profile, "--import", "tsx", "scripts/serve.ts"],
    {
      ...env,
      PORT: String(PRODUCT_PORT),
      HOSTNAME: "127.0.0.1",
      BENCH_FLOOR: "1",
      OPERATOR_KEY,
      NODE_EXTRA_CA_CERTS: tls.certFile,
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      WEBHOOK_WORKER: "off",
    },
    /Serving on/,
  );
  const limit = await startServer(
    "node_modules/.bin/tsx",
    ["bench/limit-server.ts"],
    { ...env, PORT: String(LIMIT_PORT) },
    /ready/,
  );
  // `npm run worker` as its own process.
  const startWorker = () =>
    startServer(
      "node",
      [...profile, "--import", "tsx", "scripts/worker.ts"],
      { ...env, NODE_EXTRA_CA_CERTS: tls.certFile, WEBHOOK_ALLOWED_HOSTS: "127.0.0.1" },
      /Delivery worker running/,
    );
  const report = (result: string) => {
    console.log(`  ${result}`);
    extras.push(`${backend}: ${result}`);
  };
  // A worker for the length of one delivery run.
  const withWorker = async (run: () => Promise<string>) => {
    const worker = await startWorker();
    report(await run().finally(() => stop(worker)));
  };
  const drainRun = async () => {
    const lines = await benchDrain({
      baseUrl: api(PRODUCT_PORT, ""),
      token: seed.token,
      operatorKey: OPERATOR_KEY,
      facilityId: seed.facilityIds[0] ?? "",
      tls,
      startWorker,
      stopWorker: stop,
      // Worker scaling on PostgreSQL, where production runs several (SQLite has one writer).
      scaling: backend === "postgresql" ? WORKER_SCALING : [],
    });
    for (const line of lines) report(line);
  };
  // A single tenant's steady publishing, then the noisy neighbour (bench/isolation.ts).
  // Convoy's scenario as users run it: `npm start` (its server and its worker process), events
  // published one by one, one webhook each (each run deletes its webhook, so none feeds the next).
  const singlePublishRuns = async () => {
    const started = await startServer(
      "node",
      [...profile, "--import", "tsx", "scripts/start.ts"],
      {
        ...env,
        PORT: String(NPM_START_PORT),
        HOSTNAME: "127.0.0.1",
        OPERATOR_KEY,
        NODE_EXTRA_CA_CERTS: tls.certFile,
        WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      },
      /Serving on/,
    );
    const oneByOne = (eventsPerSecond: number) =>
      benchDeliveries({
        baseUrl: api(NPM_START_PORT, ""),
        token: seed.token,
        facilityId: seed.facilityIds[0] ?? "",
        tls,
        eventType: "shift.request.cancelled",
        webhooks: 1,
        eventsPerSecond,
        oneByOne: true,
        layout: "npm start: its server and its worker process",
      });
    try {
      report((await oneByOne(50)).summary);
      // Then 200 (Convoy's figure) and up in steps of 100: the highest rate whose every event
      // arrives with p99 ≤ 250 ms.
      let highest = 50;
      let beyond = "";
      for (let rate = 200; rate <= MAX_SWEEP_RATE; rate += 100) {
        const run = await oneByOne(rate);
        if (rate === 200) report(run.summary);
        if (!run.complete || run.p99 > 250) {
          beyond = `; at ${rate}/s p99 ${run.p99} ms${run.complete ? "" : ", not every event delivered"}`;
          break;
        }
        highest = rate;
      }
      report(
        `single publishes through npm start: the highest rate tried (50, then 200 up to ${MAX_SWEEP_RATE} in steps of 100) with every event delivered and p99 ≤ 250 ms: ${highest}/s${beyond}`,
      );
    } finally {
      await stop(started);
    }
  };
  const deliveryRuns = async () => {
    await singlePublishRuns();
    await withWorker(
      async () =>
        (
          await benchDeliveries({
            baseUrl: api(PRODUCT_PORT, ""),
            token: seed.token,
            facilityId: seed.facilityIds[0] ?? "",
            tls,
          })
        ).summary,
    );
    await withWorker(() =>
      benchIsolation({
        baseUrl: api(PRODUCT_PORT, ""),
        operatorKey: OPERATOR_KEY,
        stuck: { token: seed.listToken, facilityId: seed.facilityIds[1] ?? "" },
        healthy: { token: seed.token, facilityId: seed.facilityIds[2] ?? "" },
        tls,
      }),
    );
    await drainRun();
  };
  try {
    if (deliveriesOnly) {
      await deliveryRuns();
      return;
    }
    if (singlesOnly) {
      await singlePublishRuns();
      return;
    }
    if (drainOnly) {
      await drainRun();
      return;
    }
    // The REST PATCH changes all four fields, spread over the last 100 webhooks (the tRPC load
    // edits 100 others), alternating between two bodies so every request writes everything.
    const fullBody = (tag: "a" | "b", facilityId: string | undefined) =>
      JSON.stringify({
        url: `https://receiver.example/${tag}`,
        events: tag === "a" ? ["shift.created", "shift.cancelled"] : ["shift.created"],
        facilities: [facilityId],
        secrets: [tag.repeat(32)],
      });
    const patchBodies = [fullBody("a", seed.facilityIds[0]), fullBody("b", seed.facilityIds[1])];
    const bearer = { authorization: `Bearer ${seed.token}`, "content-type": "application/json" };
    const patchPath = (id: string) => `/api/v2/public/webhooks/facility/${id}`;
    const spread = spreadPatches(seed.webhookIds.slice(-SPREAD).map(patchPath), patchBodies);
    const session = `session=${seed.sessionToken}`;
    const patch = await alternate([
      {
        name: "REST PATCH",
        url: api(PRODUCT_PORT, patchPath(seed.webhookId)),
        method: "PATCH",
        headers: bearer,
        requests: spread,
      },
      {
        name: "floor PATCH",
        url: api(PRODUCT_PORT, "/api/bench/floor"),
        method: "PATCH",
        headers: bearer,
        body: patchBodies[0],
      },
      {
        name: "limit PATCH",
        url: api(LIMIT_PORT, patchPath(seed.webhookId)),
        method: "PATCH",
        headers: bearer,
        requests: spread,
      },
      {
        name: "tRPC update",
        url: api(PRODUCT_PORT, "/api/trpc/webhooks.update"),
        method: "POST",
        headers: { cookie: session, "content-type": "application/json" },
        // Not the first webhook: the pages' timings edit that one.
        requests: trpcUpdates(seed.webhookIds.slice(1, 1 + SPREAD), patchBodies, session),
      },
    ]);
    const list = await alternate([
      {
        name: "REST GET list (50)",
        url: api(PRODUCT_PORT, "/api/v2/public/webhooks/facility"),
        method: "GET",
        headers: { authorization: `Bearer ${seed.listToken}` },
      },
      { name: "floor GET", url: api(PRODUCT_PORT, "/api/bench/floor"), method: "GET", headers: bearer },
    ]);

    const row = (
      rounds: Rounds,
      scenario: string,
      target: string,
      name: string,
      against?: { floor: string; limit?: string },
    ): Row => ({
      backend,
      scenario,
      target,
      measure: medianRun(rounds, name),
      vsFloor: against && pairedRatio(rounds, name, against.floor),
      vsLimit: against?.limit ? pairedRatio(rounds, name, against.limit) : undefined,
    });
    const patchRefs = { floor: "floor PATCH", limit: "limit PATCH" };
    rows.push(
      row(patch, "REST PATCH", "product", "REST PATCH", patchRefs),
      row(patch, "REST PATCH", "floor", "floor PATCH"),
      row(patch, "REST PATCH", "limit", "limit PATCH"),
      row(patch, "tRPC update", "product", "tRPC update", patchRefs),
      row(list, "REST GET list (50)", "product", "REST GET list (50)", { floor: "floor GET" }),
      row(list, "REST GET list (50)", "floor", "floor GET"),
    );
    // The ratios of the median runs too, as runs before the paired ratios reported them.
    const ofMedians = (rounds: Rounds, product: string, reference: string) =>
      (medianRun(rounds, product).rps / medianRun(rounds, reference).rps).toFixed(2);
    extras.push(
      `${backend}: REST PATCH p99 / floor p99 = ${pairedRatio(patch, "REST PATCH", "floor PATCH", "p99").toFixed(2)}; tRPC / REST PATCH = ${pairedRatio(patch, "tRPC update", "REST PATCH").toFixed(2)}`,
      `${backend}, as ratios of the median runs: REST PATCH / floor ${ofMedians(patch, "REST PATCH", "floor PATCH")}, tRPC / REST PATCH ${ofMedians(patch, "tRPC update", "REST PATCH")}, GET list / floor ${ofMedians(list, "REST GET list (50)", "floor GET")}`,
    );
    await deliveryRuns();
    if (backend === "sqlite") {
      extras.push(
        `Edit page first-load JavaScript: ${((await firstLoadJs(seed)) / 1024).toFixed(1)} kB gzip`,
      );
      const stored = (await (
        await fetch(api(PRODUCT_PORT, patchPath(seed.webhookId)), { headers: bearer })
      ).json()) as { url: string };
      const browser = await benchBrowser({
        baseUrl: api(PRODUCT_PORT, ""),
        sessionToken: seed.sessionToken,
        webhookId: seed.webhookId,
        storedUrl: stored.url,
      });
      for (const line of browser) console.log(`  ${line}`);
      extras.push(...browser);
      const wal = `${database.url.slice("file:".length)}-wal`;
      extras.push(
        `SQLite -wal file after the run: ${fs.existsSync(wal) ? (fs.statSync(wal).size / 1024 / 1024).toFixed(1) : "0"} MB`,
      );
    }
  } finally {
    await stop(product);
    await stop(limit);
    await database.drop();
  }
}

/** Search and erasure at scale (bench/search.ts), in a process of its own per backend. */
function searchRun(backend: "sqlite" | "postgresql"): string[] {
  console.log(`\n== search at scale, ${backend} ==`);
  const output = execFileSync("node_modules/.bin/tsx", ["bench/search.ts"], {
    cwd: ROOT,
    env: { ...process.env, TEST_DATABASE: backend },
  }).toString();
  const lines = output.split("\n").filter((line) => line.startsWith(`${backend}, `));
  for (const line of lines) console.log(`  ${line}`);
  return lines;
}

const tls = createSelfSignedCertificate(path.join(ROOT, "bench/tmp/tls"));
const rows: Row[] = [];
const extras: string[] = [];
if (postgresUrl) process.env.TEST_POSTGRES_URL = postgresUrl;
const backends = postgresUrl ? (["sqlite", "postgresql"] as const) : (["sqlite"] as const);
if (!searchOnly) {
  console.log("Building the production server…");
  execFileSync("node_modules/.bin/next", ["build"], { cwd: ROOT, stdio: "ignore" });
  for (const backend of backends) await benchBackend(backend, rows, extras);
}
if (!postgresUrl) {
  extras.push("PostgreSQL not measured: set BENCH_POSTGRES_URL (a role that may create databases).");
}
if (!(deliveriesOnly || singlesOnly || drainOnly)) {
  for (const backend of backends) extras.push(...searchRun(backend));
}

if (deliveriesOnly || singlesOnly || drainOnly || searchOnly) {
  console.log(`\n${extras.join("\n")}\n\n(BENCH_ONLY: bench/results.md left as it was)`);
  process.exit(0);
}

const ratio = (r?: number) => (r === undefined ? "" : `${r.toFixed(2)}×`);
const table = [
  "| backend | scenario | target | req/s | p50 ms | p99 ms | product/floor | product/limit |",
  "|---|---|---|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.scenario} | ${r.target} | ${r.measure.rps.toFixed(0)} | ${r.measure.p50.toFixed(1)} | ${r.measure.p99.toFixed(1)} | ${ratio(r.vsFloor)} | ${ratio(r.vsLimit)} |`,
  ),
].join("\n");
const generated = `<!-- results:start -->
Latest run: ${new Date().toISOString()}, ${CONNECTIONS} connections, ${DURATION} s per run, each target run ${ROUNDS} times
interleaved (rounds in balanced Latin-square order), each figure its median run; each ratio is the median of the
rounds' ratios (product and reference run within a round of each other); autocannon shares the machine's cores
with the servers.

${table}

${extras.map((e) => `- ${e}`).join("\n")}
<!-- results:end -->`;
const previous = fs.existsSync(RESULTS)
  ? fs.readFileSync(RESULTS, "utf8")
  : "# Benchmark results\n\n<!-- results:start -->\n<!-- results:end -->\n";
fs.writeFileSync(RESULTS, previous.replace(/<!-- results:start -->[\s\S]*<!-- results:end -->/, generated));
console.log(`\n${table}\n\n${extras.join("\n")}\n\nWrote bench/results.md`);
