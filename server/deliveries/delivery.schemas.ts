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

/** A receiver's answer to search for: one status, a class (`5xx`), or `none` (no HTTP answer at all). */
export type ResponseStatusFilter = { min: number; max: number } | "none";

const RESPONSE_STATUS_MESSAGE =
  "responseStatus must be an HTTP status (e.g. 503), a class (e.g. 5xx) or none";
export const responseStatusFilter = z
  .string()
  .regex(/^([1-5]xx|[1-5]\d\d|none)$/, RESPONSE_STATUS_MESSAGE)
  .transform((value): ResponseStatusFilter => {
    if (value === "none") return "none";
    if (value.endsWith("xx")) return { min: Number(value[0]) * 100, max: Number(value[0]) * 100 + 99 };
    return { min: Number(value), max: Number(value) };
  });

/** The longest an attempt can take is the send timeout; a bound this high only keeps the number exact. */
const MAX_LATENCY_FILTER_MS = 3_600_000;
export const minLatencyFilter = z
  .number({ error: "minLatencyMs must be a number" })
  .int("minLatencyMs must be an integer number")
  .min(0, "minLatencyMs must not be less than 0")
  .max(MAX_LATENCY_FILTER_MS, `minLatencyMs must not be greater than ${MAX_LATENCY_FILTER_MS}`);

/** A field of the event's payload and the value it must hold: `data.shiftId=s-123`. */
export type PayloadMatch = { path: string[]; value: string };

const PAYLOAD_MESSAGE =
  "payload must be a field path and its value, e.g. data.shiftId=s-123 (path segments of letters, digits and _, at most 8)";
/** Values longer than any id or name a payload holds are not a search anyone needs. */
const MAX_PAYLOAD_VALUE = 200;
export const payloadMatch = z
  .string()
  .max(MAX_PAYLOAD_VALUE + 100, PAYLOAD_MESSAGE)
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){0,7}=.+$/s, PAYLOAD_MESSAGE)
  .transform((match): PayloadMatch => {
    const at = match.indexOf("=");
    return { path: match.slice(0, at).split("."), value: match.slice(at + 1) };
  })
  .refine(
    (match) => match.value.length <= MAX_PAYLOAD_VALUE,
    `payload's value must be at most ${MAX_PAYLOAD_VALUE} characters`,
  );

/**
 * What a search may ask of a delivery beyond its event, facility and time: an attempt answered with
 * this status and at least this slow (the same attempt), and a payload field's value.
 */
export type DeliverySearch = {
  responseStatus?: ResponseStatusFilter;
  minLatencyMs?: number;
  payload?: PayloadMatch;
};

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
    // Beyond the contract's parameters: searches the contract leaves open (it names no others).
    responseStatus: responseStatusFilter.optional().meta({
      description:
        "Deliveries with an attempt the receiver answered with this HTTP status (`503`), a status of this class (`5xx`), or `none`: no HTTP answer (refused, timed out)",
      example: "5xx",
    }),
    minLatencyMs: z
      .string()
      .regex(/^\d+$/, "minLatencyMs must be an integer number")
      .transform(Number)
      .pipe(minLatencyFilter)
      .optional()
      .meta({
        description:
          "Deliveries with an attempt that took at least this many milliseconds (with `responseStatus`, the same attempt)",
        example: "2000",
      }),
    payload: payloadMatch.optional().meta({
      description:
        "Deliveries whose payload holds this value at this field path, compared as text: `<path>=<value>`, the path from the payload's root (`data.shiftId=s-123`, `data.createdBy.email=ana@example.com`)",
      example: "data.shiftId=s-123",
    }),
  })
  .refine((q) => !q.startDate || !q.endDate || q.startDate < q.endDate, {
    message: "startDate must be a date before endDate",
  });
export type DeliveryLogQuery = z.output<typeof deliveryLogQuery>;

/** The query string as the schema reads it: repeated keys become lists, others single values. */
export function deliveryLogParams(params: URLSearchParams): Record<string, unknown> {
  const result: Record<string, unknown> = { facilitiesIds: params.getAll("facilitiesIds") };
  for (const key of [
    "eventType",
    "startDate",
    "endDate",
    "limit",
    "offset",
    "sortDirection",
    "responseStatus",
    "minLatencyMs",
    "payload",
  ]) {
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
  responseStatus: responseStatusFilter.optional(),
  minLatencyMs: minLatencyFilter.optional(),
  payload: payloadMatch.optional(),
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
