import { deliveryLogParams, deliveryLogQuery } from "@/server/deliveries/delivery.schemas";
import { searchDeliveryLog } from "@/server/deliveries/delivery-log.service";
import { parseInput } from "@/server/errors";
import { ok, publicApiRoute } from "@/server/http/rest";

const ROUTE = "/api/v2/public/webhooks/logs";

export const GET = publicApiRoute(ROUTE, async ({ request, principal }) => {
  const query = parseInput(deliveryLogQuery, deliveryLogParams(new URL(request.url).searchParams));
  return ok({ data: await searchDeliveryLog({ principal, query }) });
});
