import { z } from "zod";
import { WEBHOOK_EVENTS } from "../webhooks/webhook.schemas";

/** Events that happen; `all` is only something a webhook listens to. */
export const PUBLISHABLE_EVENTS = WEBHOOK_EVENTS.filter((e) => e !== "all") as [string, ...string[]];

export const publishEventInput = z.object({
  eventType: z.enum(PUBLISHABLE_EVENTS, {
    error: `eventType must be one of the following values: ${PUBLISHABLE_EVENTS.join(", ")}`,
  }),
  facilityId: z.string({ error: "facilityId must be a string" }).min(1, "facilityId should not be empty"),
  data: z.record(z.string(), z.unknown(), { error: "data must be an object" }),
});
export type PublishEventInput = z.output<typeof publishEventInput>;
