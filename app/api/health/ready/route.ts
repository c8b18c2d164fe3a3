import { observed } from "@/server/http/observed";
import { checkReadiness } from "@/server/operations/health";

/**
 * Readiness, for a balancer checking every second or so: 200 while this instance should get
 * requests — not draining, its database answering — else 503. Cheaper than /api/health's report.
 */
export const GET = observed("/api/health/ready", async () => {
  const ready = await checkReadiness();
  return Response.json(ready, {
    status: ready.status === "ready" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
});
