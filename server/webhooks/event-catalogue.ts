/**
 * Every event the platform sends, once: its name, what it means and an example (the shape of its
 * `data` is in event-data.schemas.ts). The event picker shows the descriptions and examples, "Send
 * test event" sends the examples. Browser-safe: plain data, no validation library.
 */
import type { PublishableEvent, WebhookEventName } from "./webhook-rules";

type CatalogueEntry = { description: string; example: Record<string, unknown> };

const SHIFT_ID = "0c5e7c1e-3b9a-4d7e-9a55-5f7d7c1b2a10";
const FACILITY_ID = "P-123456";
const CLINICIAN_ID = "c-58213";
const AT = "2026-12-01T08:00:00.000Z";
const ADMIN = { userId: "u-1001", email: "scheduler@facility.example" };
const SHIFT_EXAMPLE = { shiftId: SHIFT_ID, facilityId: FACILITY_ID, at: AT };
const REPORT_EXAMPLE = { ...SHIFT_EXAMPLE, reportType: "timesheet", clinicianId: CLINICIAN_ID };

export const EVENT_CATALOGUE: Record<PublishableEvent, CatalogueEntry> = {
  "shift.request.created": {
    description: "A clinician requested a shift",
    example: {
      shiftId: SHIFT_ID,
      facilityId: FACILITY_ID,
      clinicianId: CLINICIAN_ID,
      at: AT,
      clinicianContactPhone: "+1 555 0100",
      requestedBy: {
        userId: CLINICIAN_ID,
        firstName: "Ada",
        lastName: "Moreno",
        email: "ada.moreno@clinician.example",
        source: "mobile-app",
      },
    },
  },
  "shift.request.cancelled": {
    description: "A shift request was withdrawn",
    example: { ...SHIFT_EXAMPLE, clinicianId: CLINICIAN_ID, cancelledBy: CLINICIAN_ID },
  },
  "shift.report.created": {
    description: "A clinician submitted a shift report",
    example: { ...REPORT_EXAMPLE, createdBy: CLINICIAN_ID },
  },
  "shift.scheduled.cancelled": {
    description: "A scheduled shift was cancelled",
    example: {
      ...SHIFT_EXAMPLE,
      clinicianId: CLINICIAN_ID,
      reason: "Census dropped",
      cancelledBy: ADMIN.userId,
    },
  },
  "shift.scheduled": {
    description: "A clinician was scheduled for a shift",
    example: { ...SHIFT_EXAMPLE, clinicianId: CLINICIAN_ID, scheduledBy: ADMIN },
  },
  "shift.created": {
    description: "A shift was posted",
    example: {
      shiftId: SHIFT_ID,
      facilityId: FACILITY_ID,
      from: "2026-12-02T07:00:00.000Z",
      to: "2026-12-02T19:00:00.000Z",
      at: AT,
      description: "Day shift, medical-surgical unit",
      licenseType: "RN",
      breakTime: 30,
      createdBy: ADMIN,
    },
  },
  "shift.report.accepted-automatically": {
    description: "A shift report was accepted automatically",
    example: REPORT_EXAMPLE,
  },
  "shift.report.accepted": {
    description: "A shift report was accepted",
    example: { ...REPORT_EXAMPLE, acceptedBy: ADMIN.userId },
  },
  "shift.report.rejected": {
    description: "A shift report was rejected",
    example: { ...REPORT_EXAMPLE, rejectedBy: ADMIN.userId },
  },
  "shift.cancelled": {
    description: "A shift was cancelled",
    example: { ...SHIFT_EXAMPLE, reason: "Unit closed", cancelledBy: ADMIN.userId },
  },
};

/** What a webhook may listen to: each event, or `all`. */
export const EVENT_DESCRIPTIONS: Record<WebhookEventName, string> = {
  ...(Object.fromEntries(
    Object.entries(EVENT_CATALOGUE).map(([name, entry]) => [name, entry.description]),
  ) as Record<PublishableEvent, string>),
  all: "Every event, including ones added later",
};

/** The body a receiver gets for an event: the contract's `{ data, eventType }` (indented to show it). */
export const deliveryBody = (eventType: string, data: Record<string, unknown>, indent?: number) =>
  JSON.stringify({ data, eventType }, null, indent);
