/**
 * The production web server (`npm start` runs it after its preparations): Next's request handler
 * behind a Node HTTP server of our own, which settles two things before Next sees a request: the
 * client's address, from its socket and TRUST_PROXY's hops (server/http/client-address.ts), never
 * from what a client claims; and a path that does not decode, made literal (server/http/paths.ts)
 * here rather than in a proxy every API request would pass through.
 * PORT (default 3000) and HOSTNAME (default: every interface).
 */
import http from "node:http";
import next from "next";
import { getEnv } from "../server/env";
import { settleForwardedHeaders } from "../server/http/client-address";
import { decodableUrl } from "../server/http/paths";

// Signals are ours (instrumentation.ts): attempts in flight finish before the process exits.
process.env.NEXT_MANUAL_SIG_HANDLE = "1";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME || undefined;
const trustedHops = getEnv().TRUST_PROXY;

const app = next({ dev: false, port, hostname: hostname ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  settleForwardedHeaders(req.headers, req.socket.remoteAddress ?? "", trustedHops);
  req.url = decodableUrl(req.url ?? "/");
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

server.listen(port, hostname, () => {
  console.log(`Serving on http://${hostname ?? "localhost"}:${port}`);
});
