import { authenticateOperator } from "@/server/auth/operator";
import { publishEventInput } from "@/server/deliveries/delivery.schemas";
import { publishEvent } from "@/server/deliveries/events.service";
import { created, errorResponse, parseBody } from "@/server/http/rest";

/** Publishes a platform event (operators only): `{"eventType", "facilityId", "data"}` → 201. */
export async function POST(request: Request): Promise<Response> {
  try {
    authenticateOperator(request.headers.get("authorization"));
    return created(await publishEvent(await parseBody(request, publishEventInput)));
  } catch (error) {
    return errorResponse(error, request);
  }
}
