/**
 * `npm run worker`: a delivery worker on its own. Run as many as needed, on as many machines;
 * they share the work through leases. SIGTERM or SIGINT: finish the attempts in flight, then exit.
 */
import { getDb } from "../server/db";
import { startWorker } from "../server/deliveries/worker";
import { forwardAttemptsToParent } from "../server/operations/attempt-metrics";

// Started by `npm start` (an IPC channel to it): its server's /metrics shows this worker's attempts.
const stopForwarding = process.connected ? forwardAttemptsToParent() : null;
const worker = startWorker();
console.log("Delivery worker running");

// Started by `npm start`: should it die without passing a signal on, stop too (gracefully).
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));

// A terminal's Ctrl-C reaches both `npm start` and its worker, which `npm start` also tells: the
// second signal must not cut the first's finishing short.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing deliveries in flight…`);
    await worker.stop();
    await stopForwarding?.();
    await getDb().$disconnect();
    process.exit(0);
  });
}
