import { observed } from "@/server/http/observed";
import { checkHealth } from "@/server/operations/health";

/** For load balancers and uptime checks: 200 when healthy, 503 naming the failing part. No token: it tells nothing secret. */
export const GET = observed("/api/health", async () => {
  const report = await checkHealth();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
});
