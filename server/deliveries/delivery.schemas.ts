import { z } from "zod";
import { MAX_FACILITY_ID_LENGTH, PUBLISHABLE_EVENTS, WEBHOOK_EVENTS } from "../webhooks/webhook-rules";

export const publishEventInput = z.object({
  eventType: z.enum(PUBLISHABLE_EVENTS, {
    error: `eventType must be one of the following values: ${PUBLISHABLE_EVENTS.join(", ")}`,
  }),
  facilityId: z
    .string({ error: "facilityId must be a string" })
    .min(1, "facilityId should not be empty")
    .max(
      MAX_FACILITY_ID_LENGTH,
      `facilityId must be shorter than or equal to ${MAX_FACILITY_ID_LENGTH} characters`,
    ),
  data: z.record(z.string(), z.unknown(), { error: "data must be an object" }),
});

/** Events one publishing request may carry. */
export const PUBLISH_BATCH_MAX = 500;

export const publishEventsInput = z
  .array(publishEventInput, { error: "body must be an event or an array of events" })
  .min(1, "a batch must hold at least 1 event")
  .max(PUBLISH_BATCH_MAX, `a batch may hold at most ${PUBLISH_BATCH_MAX} events`);

const isoDate = (name: string) =>
  z
    .string()
    .refine(
      (value) =>
        /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
        !Number.isNaN(Date.parse(value)),
      {
        message: `${name} must be a valid ISO 8601 date string`,
      },
    )
    .transform((value) => new Date(value));

/**
 * An integer query parameter, with the contract's messages. Every one has a maximum: past 2^53 a
 * JavaScript number is no longer the integer that was sent (…993 reads as …992).
 */
export const queryInteger = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^-?\d+$/.test(value), `${name} must be an integer number`)
    .transform(Number)
    .refine((value) => value >= min, `${name} must not be less than ${min}`)
    .refine((value) => value <= max, `${name} must not be greater than ${max}`);

/** Paging as the log API does it: `limit` 0–100 (default 10), `offset` ≥ 0 (and exact). */
export const pageQuery = z.object({
  limit: queryInteger("limit", 0, 100, 10),
  offset: queryInteger("offset", 0, Number.MAX_SAFE_INTEGER, 0),
});

/**
 * The delivery log search, from the query string (`facilitiesIds` may repeat). Messages in the
 * contract's style, one per failed rule.
 */
export const deliveryLogQuery = z
  .object({
    facilitiesIds: z.array(z.string().min(1, "each value in facilitiesIds should not be empty")).default([]),
    eventType: z
      .enum(WEBHOOK_EVENTS, {
        error: `eventType must be one of the following values: ${WEBHOOK_EVENTS.join(", ")}`,
      })
      .optional(),
    startDate: isoDate("startDate").optional(),
    endDate: isoDate("endDate").optional(),
    ...pageQuery.shape,
    sortDirection: z
      .enum(["ASC", "DESC"], { error: "sortDirection must be one of the following values: ASC, DESC" })
      .default("DESC"),
  })
  .refine((q) => !q.startDate || !q.endDate || q.startDate < q.endDate, {
    message: "startDate must be a date before endDate",
  });
export type DeliveryLogQuery = z.output<typeof deliveryLogQuery>;

/** The query string as the schema reads it: repeated keys become lists, others single values. */
export function deliveryLogParams(params: URLSearchParams): Record<string, unknown> {
  const result: Record<string, unknown> = { facilitiesIds: params.getAll("facilitiesIds") };
  for (const key of ["eventType", "startDate", "endDate", "limit", "offset", "sortDirection"]) {
    const value = params.get(key);
    if (value !== null) result[key] = value;
  }
  return result;
}

/** The edit page's Deliveries tab: the latest deliveries of one webhook, filtered. */
export const webhookDeliveriesInput = z.object({
  webhookId: z.uuid(),
  eventType: z.enum(WEBHOOK_EVENTS).optional(),
  facilityId: z.string().min(1).max(MAX_FACILITY_ID_LENGTH).optional(),
  status: z.enum(["pending", "success", "failure"]).optional(),
  /** Only deliveries created on or after this day (YYYY-MM-DD). */
  since: z.iso.date().optional(),
  /** The last delivery of the previous page. */
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type WebhookDeliveriesInput = z.output<typeof webhookDeliveriesInput>;

/**
 * Attempts one delivery may have in all: its scheduled ones plus resends and replays. Beyond it
 * Resend and replays pass the delivery over, so its log entry stays bounded.
 */
export const MAX_ATTEMPTS_PER_DELIVERY = 25;

/** Which failed deliveries of a webhook a bulk replay resends (the Deliveries tab and the CLI). */
export const replayFilterInput = z
  .object({
    webhookId: z.uuid({ error: "webhook must be a webhook id" }),
    since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date and time" }),
    until: z.iso.datetime({ offset: true, error: "until must be an ISO 8601 date and time" }).optional(),
    eventType: z
      .enum(PUBLISHABLE_EVENTS, {
        error: `event must be one of the following values: ${PUBLISHABLE_EVENTS.join(", ")}`,
      })
      .optional(),
    facilityId: z
      .string()
      .min(1, "facility should not be empty")
      .max(MAX_FACILITY_ID_LENGTH, `facility must be at most ${MAX_FACILITY_ID_LENGTH} characters`)
      .optional(),
    perSecond: z
      .number({ error: "rate must be a number" })
      .int("rate must be a whole number")
      .min(1, "rate must be at least 1 a second")
      .max(1000, "rate must be at most 1000 a second")
      .optional(),
  })
  .refine((f) => !f.until || Date.parse(f.since) < Date.parse(f.until), {
    message: "since must be before until",
  });
export type ReplayFilter = z.output<typeof replayFilterInput>;
