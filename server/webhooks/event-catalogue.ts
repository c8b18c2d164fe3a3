/**
 * Every event the platform sends, once: its name, what it means, the shape of its `data` and an
 * example. The event picker shows the descriptions and examples, "Send test event" sends the
 * examples, and the OpenAPI document's `webhooks` section is made from the schemas. Browser-safe
 * (zod only). The fields are the contract's; receivers must accept fields added later.
 */
import { z } from "zod";
import type { PublishableEvent, WebhookEventName } from "./webhook.schemas";

const actor = z.object({ userId: z.string(), email: z.email() });
const shift = { shiftId: z.string(), facilityId: z.string(), at: z.iso.datetime() };
const report = z.object({
  ...shift,
  reportType: z.string(),
  clinicianId: z.string(),
});

type CatalogueEntry = { description: string; data: z.ZodObject; example: Record<string, unknown> };

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
    data: z.object({
      ...shift,
      clinicianId: z.string(),
      clinicianContactPhone: z.string(),
      requestedBy: z.object({
        userId: z.string(),
        firstName: z.string(),
        lastName: z.string(),
        email: z.email(),
        source: z.string(),
      }),
    }),
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
    data: z.object({ ...shift, clinicianId: z.string(), cancelledBy: z.string() }),
    example: { ...SHIFT_EXAMPLE, clinicianId: CLINICIAN_ID, cancelledBy: CLINICIAN_ID },
  },
  "shift.report.created": {
    description: "A clinician submitted a shift report",
    data: report.extend({ createdBy: z.string() }),
    example: { ...REPORT_EXAMPLE, createdBy: CLINICIAN_ID },
  },
  "shift.scheduled.cancelled": {
    description: "A scheduled shift was cancelled",
    data: z.object({ ...shift, clinicianId: z.string(), reason: z.string(), cancelledBy: z.string() }),
    example: {
      ...SHIFT_EXAMPLE,
      clinicianId: CLINICIAN_ID,
      reason: "Census dropped",
      cancelledBy: ADMIN.userId,
    },
  },
  "shift.scheduled": {
    description: "A clinician was scheduled for a shift",
    data: z.object({ ...shift, clinicianId: z.string(), scheduledBy: actor }),
    example: { ...SHIFT_EXAMPLE, clinicianId: CLINICIAN_ID, scheduledBy: ADMIN },
  },
  "shift.created": {
    description: "A shift was posted",
    data: z.object({
      ...shift,
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      description: z.string(),
      licenseType: z.string(),
      breakTime: z.number().int().describe("minutes"),
      createdBy: actor,
    }),
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
    data: report,
    example: REPORT_EXAMPLE,
  },
  "shift.report.accepted": {
    description: "A shift report was accepted",
    data: report.extend({ acceptedBy: z.string() }),
    example: { ...REPORT_EXAMPLE, acceptedBy: ADMIN.userId },
  },
  "shift.report.rejected": {
    description: "A shift report was rejected",
    data: report.extend({ rejectedBy: z.string() }),
    example: { ...REPORT_EXAMPLE, rejectedBy: ADMIN.userId },
  },
  "shift.cancelled": {
    description: "A shift was cancelled",
    data: z.object({ ...shift, reason: z.string(), cancelledBy: z.string() }),
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
