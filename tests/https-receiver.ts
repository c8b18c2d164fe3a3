import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";

export type Received = { path: string; headers: Record<string, string>; body: string };

/**
 * A real HTTPS receiver on 127.0.0.1 that records every request. Paths starting /fail answer 500;
 * /hold waits (the sender stays mid-request) until `releaseHeld()`; everything else answers 200.
 */
export async function startReceiver() {
  const { certFile, keyFile } = inject("receiverTls");
  const received: Received[] = [];
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
        const failing = req.url?.startsWith("/fail");
        const answer = () => {
          res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" });
          res.end(failing ? "receiver is down" : "ok");
        };
        if (req.url?.startsWith("/hold")) held.push(answer);
        else answer();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (path: string) => `https://127.0.0.1:${port}${path}`,
    /** The same receiver under a name that resolves to loopback, for the SSRF guard. */
    urlByName: (path: string) => `https://localhost:${port}${path}`,
    releaseHeld: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
