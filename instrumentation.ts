/**
 * Next calls this once when the server starts. With WEBHOOK_WORKER=embedded the server also sends
 * deliveries itself (one process); by default `npm start` runs a worker process beside it instead
 * (scripts/start.ts), and larger deployments run `npm run worker` processes.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("./server/env");
  const env = getEnv();
  if (process.connected) {
    // `npm start`'s worker process reports its attempts through `npm start` to this server's /metrics.
    const { countReportedAttempts } = await import("./server/operations/attempt-metrics");
    process.on("message", countReportedAttempts);
  }
  const worker =
    env.WEBHOOK_WORKER === "embedded" ? (await import("./server/deliveries/worker")).startWorker() : null;
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
    // Plain `next start`: Next exits on its own signal handling, maybe before the attempts finish.
    if (worker) process.once("SIGTERM", () => void worker.stop());
    return;
  }
  // `npm start` leaves signals to us: the attempts in flight finish and are recorded, then we exit.
  // An attempt ends within the delivery timeout; past that and a margin, exit anyway.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      setTimeout(() => process.exit(1), env.WEBHOOK_TIMEOUT_MS + 10_000).unref();
      await worker?.stop();
      process.exit(0);
    });
  }
}
