import { observed } from "@/server/http/observed";
import { checkHealth } from "@/server/operations/health";
import { DRAINING_ANSWER, isDraining } from "@/server/operations/lifecycle";

/** For load balancers and uptime checks: 200 when healthy, 503 naming the failing part. No token: it tells nothing secret. */
export const GET = observed("/api/health", async () => {
  // Draining: 503 at once, so balancers checking this stop sending before the server stops accepting.
  if (isDraining())
    return Response.json(DRAINING_ANSWER, { status: 503, headers: { "Cache-Control": "no-store" } });
  const report = await checkHealth();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
});
