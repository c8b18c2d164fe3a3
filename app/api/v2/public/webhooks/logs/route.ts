import { deliveryLogParams, deliveryLogQuery } from "@/server/deliveries/delivery.schemas";
import { searchDeliveryLog } from "@/server/deliveries/delivery-log.service";
import { ok, parseQuery, publicApiRoute } from "@/server/http/rest";

export const GET = publicApiRoute(async ({ request, principal }) => {
  const query = parseQuery(deliveryLogQuery, deliveryLogParams(new URL(request.url).searchParams));
  return ok({ data: await searchDeliveryLog({ principal, query }) });
});
