import { deliveryLogParams, deliveryLogQuery } from "@/server/deliveries/delivery.schemas";
import { searchDeliveryLog } from "@/server/deliveries/delivery-log.service";
import { AppError } from "@/server/errors";
import { ok, publicApiRoute } from "@/server/http/rest";

export const GET = publicApiRoute(async ({ request, principal }) => {
  const parsed = deliveryLogQuery.safeParse(deliveryLogParams(new URL(request.url).searchParams));
  if (!parsed.success)
    throw new AppError("BAD_REQUEST", [...new Set(parsed.error.issues.map((i) => i.message))]);
  return ok({ data: await searchDeliveryLog({ principal, query: parsed.data }) });
});
