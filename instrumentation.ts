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
  // `npm start` leaves signals to scripts/serve.ts, which drains the server, then runs this: the
  // attempts in flight finish and are recorded before the process exits.
  if (worker) {
    const { onStop } = await import("./server/operations/lifecycle");
    onStop(() => worker.stop());
  }
}
