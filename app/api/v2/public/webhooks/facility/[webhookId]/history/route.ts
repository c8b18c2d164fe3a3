import { pageQuery } from "@/server/deliveries/delivery.schemas";
import { parseInput } from "@/server/errors";
import { ok, publicApiRoute } from "@/server/http/rest";
import { listWebhookHistory } from "@/server/webhooks/webhook.service";

const ROUTE = "/api/v2/public/webhooks/facility/:webhookId/history";

/** The webhook's changes, newest first, paged like the log API (`limit`, `offset`). */
export const GET = publicApiRoute<{ webhookId: string }>(ROUTE, async ({ request, principal, params }) => {
  const { searchParams } = new URL(request.url);
  const page = parseInput(pageQuery, {
    limit: searchParams.get("limit") ?? undefined,
    offset: searchParams.get("offset") ?? undefined,
  });
  return ok({ data: await listWebhookHistory({ principal, webhookId: params.webhookId, ...page }) });
});
