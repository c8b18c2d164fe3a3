import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";

/**
 * Records, per delivery id, every arrival (as the port it came from) and how many of its requests
 * were ever open at once.
 */
export async function startCountingReceiver(tls: { certFile: string; keyFile: string }) {
  const arrivals = new Map<string, number[]>();
  const open = new Map<string, number>();
  let mostAtOnce = 0;
  const server = https.createServer(
    { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) },
    (req, res) => {
      const id = String(req.headers["webhook-delivery-id"]);
      arrivals.set(id, [...(arrivals.get(id) ?? []), Number(req.socket.remotePort)]);
      open.set(id, (open.get(id) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, open.get(id) ?? 0);
      const close = () => open.set(id, (open.get(id) ?? 1) - 1);
      res.on("close", close);
      req.resume();
      // A few milliseconds of work, so requests overlap as they do at real receivers.
      req.on("end", () => setTimeout(() => res.end("ok"), Math.random() * 10));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    arrivals,
    mostAtOnce: () => mostAtOnce,
    received: () => [...arrivals.values()].reduce((sum, list) => sum + list.length, 0),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
