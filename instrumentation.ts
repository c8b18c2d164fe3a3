/**
 * Next calls this once when the server starts. Unless WEBHOOK_WORKER=off, the server also sends
 * deliveries (embedded mode), so `npm start` alone is a complete product; larger deployments run
 * `npm run worker` processes instead.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("./server/env");
  if (getEnv().WEBHOOK_WORKER !== "embedded") return;
  const { startWorker } = await import("./server/deliveries/worker");
  const worker = startWorker();
  process.once("SIGTERM", () => void worker.stop());
}
