/**
 * The shape of each event's `data`, for the OpenAPI document's `webhooks` section (server-only: the
 * browser needs only the catalogue's descriptions and examples). The fields are the contract's;
 * receivers must accept fields added later.
 */
import { z } from "zod";
import type { PublishableEvent } from "./webhook-rules";

const actor = z.object({ userId: z.string(), email: z.email() });
const shift = { shiftId: z.string(), facilityId: z.string(), at: z.iso.datetime() };
const report = z.object({
  ...shift,
  reportType: z.string(),
  clinicianId: z.string(),
});

export const EVENT_DATA_SCHEMAS: Record<PublishableEvent, z.ZodObject> = {
  "shift.request.created": z.object({
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
  "shift.request.cancelled": z.object({ ...shift, clinicianId: z.string(), cancelledBy: z.string() }),
  "shift.report.created": report.extend({ createdBy: z.string() }),
  "shift.scheduled.cancelled": z.object({
    ...shift,
    clinicianId: z.string(),
    reason: z.string(),
    cancelledBy: z.string(),
  }),
  "shift.scheduled": z.object({ ...shift, clinicianId: z.string(), scheduledBy: actor }),
  "shift.created": z.object({
    ...shift,
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    description: z.string(),
    licenseType: z.string(),
    breakTime: z.number().int().describe("minutes"),
    createdBy: actor,
  }),
  "shift.report.accepted-automatically": report,
  "shift.report.accepted": report.extend({ acceptedBy: z.string() }),
  "shift.report.rejected": report.extend({ rejectedBy: z.string() }),
  "shift.cancelled": z.object({ ...shift, reason: z.string(), cancelledBy: z.string() }),
};
