/**
 * `npm run worker`: a delivery worker on its own. Run as many as needed, on as many machines;
 * they share the work through leases. SIGTERM or SIGINT: finish the attempts in flight, then exit.
 */
import { getDb } from "../server/db";
import { startWorker } from "../server/deliveries/worker";

const worker = startWorker();
console.log("Delivery worker running");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    console.log(`${signal}: finishing deliveries in flight…`);
    await worker.stop();
    await getDb().$disconnect();
    process.exit(0);
  });
}
