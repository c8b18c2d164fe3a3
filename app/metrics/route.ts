import { bearerMatches } from "@/server/auth/operator";
import { getEnv } from "@/server/env";
import { metrics } from "@/server/operations/metrics";

/**
 * Prometheus metrics, for a scraper holding `METRICS_TOKEN` as its bearer token. Without the
 * variable the endpoint does not exist (404): metrics tell about traffic and tenants' receivers.
 */
export async function GET(request: Request): Promise<Response> {
  const { METRICS_TOKEN: token } = getEnv();
  if (!token) return new Response("Not found", { status: 404 });
  if (!bearerMatches(request.headers.get("authorization"), token))
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
