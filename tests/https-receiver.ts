import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";

/** What a receiver answering junk sends: NUL bytes, a lone continuation byte, an unfinished sequence. */
export const BINARY_ANSWER = Buffer.from([0x6f, 0x6b, 0x00, 0x00, 0x80, 0xff, 0xe2, 0x82, 0x20, 0x00]);

export type Received = { path: string; headers: Record<string, string>; body: string };

/**
 * A real HTTPS receiver on 127.0.0.1 that records every request. Paths starting /fail answer 500;
 * /busy answer 503 with Retry-After: 120; /hold waits (the sender stays mid-request) until `releaseHeld()`;
 * /binary answers 200 with bytes that are not text (NUL, invalid UTF-8); everything else answers 200,
 * or 503 while `setDown(true)`.
 */
export async function startReceiver(
  { certFile, keyFile }: { certFile: string; keyFile: string },
  listenPort = 0,
) {
  const received: Received[] = [];
  let down = false;
  const held: (() => void)[] = [];
  const server = https.createServer(
    { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({
          path: req.url ?? "",
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString(),
        });
        const busy = req.url?.startsWith("/busy");
        const status = req.url?.startsWith("/fail") ? 500 : down || busy ? 503 : 200;
        const answer = () => {
          // Standard Webhooks' answers: a redirect, a Gone, a gateway asking to wait.
          if (req.url?.startsWith("/moved")) {
            res.writeHead(301, { location: "https://example.com/new-home" });
            res.end("moved");
            return;
          }
          if (req.url?.startsWith("/gone")) {
            res.writeHead(410, { "content-type": "text/plain" });
            res.end("this endpoint is retired");
            return;
          }
          if (req.url?.startsWith("/gateway")) {
            res.writeHead(502, { "content-type": "text/plain", "retry-after": "90" });
            res.end("bad gateway");
            return;
          }
          if (req.url?.startsWith("/binary")) {
            res.writeHead(200, { "content-type": "application/octet-stream" });
            res.end(BINARY_ANSWER);
            return;
          }
          res.writeHead(status, { "content-type": "text/plain", ...(busy && { "retry-after": "120" }) });
          res.end(status === 200 ? "ok" : "receiver is down");
        };
        if (req.url?.startsWith("/hold")) held.push(answer);
        else answer();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (path: string) => `https://127.0.0.1:${port}${path}`,
    /** The same receiver under a name that resolves to loopback, for the SSRF guard. */
    urlByName: (path: string) => `https://localhost:${port}${path}`,
    setDown: (value: boolean) => {
      down = value;
    },
    releaseHeld: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
