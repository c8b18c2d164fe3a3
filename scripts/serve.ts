/**
 * The production web server (`npm start` runs it after its preparations): Next's request handler
 * behind a Node HTTP server of our own, which settles two things before Next sees a request: the
 * client's address, from its socket and TRUST_PROXY's hops (server/http/client-address.ts), never
 * from what a client claims; and a path that does not decode, made literal (server/http/paths.ts)
 * here rather than in a proxy every API request would pass through.
 * PORT (default 3000) and HOSTNAME (default: every interface). On SIGTERM it drains
 * (server/operations/lifecycle.ts): health answers 503 at once, requests are served for
 * SHUTDOWN_DRAIN_MS more, then it stops accepting, finishes what is in flight, and exits 0.
 */
import http from "node:http";
import next from "next";
import { getEnv } from "../server/env";
import { settleForwardedHeaders } from "../server/http/client-address";
import { logger } from "../server/http/log";
import { decodableUrl } from "../server/http/paths";
import { isDraining, runStopTasks, setWarmingUp, startDraining } from "../server/operations/lifecycle";

// Signals are ours (below): requests and attempts in flight finish before the process exits.
process.env.NEXT_MANUAL_SIG_HANDLE = "1";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME || undefined;
const { TRUST_PROXY: trustedHops, SHUTDOWN_DRAIN_MS: drainMs, WEBHOOK_TIMEOUT_MS } = getEnv();

const app = next({ dev: false, port, hostname: hostname ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  settleForwardedHeaders(req.headers, req.socket.remoteAddress ?? "", trustedHops);
  req.url = decodableUrl(req.url ?? "/");
  // While draining, every answer closes its connection: the client's next request opens a new one,
  // which the balancer (told by the health check) sends to another instance. Decided as the answer
  // starts, so a request already in flight when the drain began closes its connection too.
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    if (isDraining()) this.shouldKeepAlive = false;
    return writeHead.apply(this, args as Parameters<typeof writeHead>);
  } as typeof res.writeHead;
  // Next gzips every route handler's answer (their length is never known up front). An API write's
  // answer is a few hundred bytes, and compressing it cost a publish more CPU than its JSON did;
  // lists, logs and pages are still compressed.
  if (req.method !== "GET" && req.method !== "HEAD" && req.url.startsWith("/api/")) {
    delete req.headers["accept-encoding"];
  }
  void handle(req, res);
});
// Started by `npm start` (an IPC channel to it): should it die without passing a signal on, stop too.
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));

/**
 * Routes the first requests after a start would otherwise wait ~0.5 s each for (Next loads a route's
 * server code on its first request): asked once, without credentials, before reporting ready.
 */
const WARM_UP_PATHS = [
  "/login",
  "/webhooks",
  "/webhooks/new",
  "/webhooks/00000000-0000-4000-8000-000000000000",
  "/clients",
  "/sessions",
  "/audit",
  "/notices",
  "/api/trpc/webhooks.list",
  "/api/v2/public/webhooks/facility",
  "/api/v2/public/webhooks/facility/00000000-0000-4000-8000-000000000000",
  "/api/v2/public/webhooks/logs",
];

async function warmUp(origin: string) {
  const started = Date.now();
  for (const path of WARM_UP_PATHS) {
    await fetch(`${origin}${path}`, { redirect: "manual" }).then(
      (response) => response.arrayBuffer(),
      (error: Error) => logger.warn({ err: error, path }, "warm-up request failed"),
    );
  }
  setWarmingUp(false);
  logger.info({ ms: Date.now() - started }, "warmed up: ready for requests");
}

setWarmingUp(true);
server.listen(port, hostname, () => {
  console.log(`Serving on http://${hostname ?? "localhost"}:${port}`);
  const address = server.address();
  const listening = typeof address === "object" && address ? address.port : port;
  void warmUp(`http://127.0.0.1:${listening}`);
});

async function shutDown(signal: NodeJS.Signals) {
  // Whatever hangs, the process ends: the drain, the longest request, an attempt's timeout, a margin.
  setTimeout(() => process.exit(1), drainMs + WEBHOOK_TIMEOUT_MS + 10_000).unref();
  startDraining();
  // SIGTERM comes from an orchestrator, which needs time to stop routing here; SIGINT from a person.
  const drain = signal === "SIGTERM" ? drainMs : 0;
  logger.info({ signal, drainMs: drain }, "draining: health answers 503; still serving until the drain ends");
  await new Promise((resolve) => setTimeout(resolve, drain));
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await closed; // every request in flight answered, every connection gone
  await runStopTasks();
  logger.info("stopped: every request answered, every attempt recorded");
  process.exit(0);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, (s) => void shutDown(s));
