import { authenticateOperator } from "@/server/auth/operator";
import { publishEvent, publishEvents } from "@/server/deliveries/events.service";
import { observed } from "@/server/http/observed";
import { created, errorResponse, readJson } from "@/server/http/rest";

/** A batch of up to 500 events with their data is larger than one public request may be. */
const MAX_PUBLISH_BYTES = 5 * 1024 * 1024;

/**
 * Publishes platform events (operators only): one `{"eventType", "facilityId", "data"}` → 201
 * `{"eventId", "deliveries"}`, or an array of up to 500 → 201 with an array of those, all or none.
 */
export const POST = observed("/api/internal/events", async (request: Request): Promise<Response> => {
  try {
    authenticateOperator(request.headers.get("authorization"));
    const body = await readJson(request, MAX_PUBLISH_BYTES);
    return created(Array.isArray(body) ? await publishEvents(body) : await publishEvent(body));
  } catch (error) {
    return errorResponse(error, request);
  }
});
