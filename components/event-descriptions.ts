import type { WebhookEventName } from "@/server/webhooks/webhook.schemas";

export const EVENT_DESCRIPTIONS: Record<WebhookEventName, string> = {
  "shift.request.created": "A clinician requested a shift",
  "shift.request.cancelled": "A shift request was withdrawn",
  "shift.report.created": "A clinician submitted a shift report",
  "shift.scheduled.cancelled": "A scheduled shift was cancelled",
  "shift.scheduled": "A clinician was scheduled for a shift",
  "shift.created": "A shift was posted",
  "shift.report.accepted-automatically": "A shift report was accepted automatically",
  "shift.report.accepted": "A shift report was accepted",
  "shift.report.rejected": "A shift report was rejected",
  "shift.cancelled": "A shift was cancelled",
  all: "Every event, including ones added later",
};
