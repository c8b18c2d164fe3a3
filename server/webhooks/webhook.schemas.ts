/**
 * The webhook input schemas that the tRPC procedures and the REST handlers parse with: each body
 * field runs its rules from webhook-rules.ts (the same the edit form runs), then is typed.
 */
import { z } from "zod";
import {
  brokenRules,
  MAX_FACILITY_ID_LENGTH,
  PUBLISHABLE_EVENTS,
  WEBHOOK_EVENTS,
  WEBHOOK_HEALTH_STATES,
  WEBHOOK_PAGE_SIZE,
  type WebhookField,
} from "./webhook-rules";
import { listCursorKeys } from "./webhook-sql";

/** Runs every rule on the raw value (reporting each failure at the field), then types what passed. */
function field<T>(name: WebhookField, typed: z.ZodType<T>) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      for (const message of brokenRules(name, value)) ctx.addIssue({ code: "custom", message });
    })
    .pipe(typed);
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

const url = field("url", z.string());
const events = field("events", z.array(z.enum(WEBHOOK_EVENTS)).transform(unique));
const facilities = field("facilities", z.array(z.string()).transform(unique));
const secrets = field("secrets", z.array(z.string()));

// Unknown keys (including `id` and `clientId`) are stripped: a body never sets them.
export const createWebhookInput = z.object({
  url,
  events,
  facilities: facilities.optional(),
  secrets: secrets.optional(),
});
export type CreateWebhookInput = z.output<typeof createWebhookInput>;

export const updateWebhookInput = z.object({
  url: url.optional(),
  events: events.optional(),
  facilities: facilities.optional(),
  secrets: secrets.optional(),
});
export type UpdateWebhookInput = z.output<typeof updateWebhookInput>;

export const webhookId = z.uuid();

/**
 * "Send a test to this URL": the URL and secrets as the form holds them (checked by the same rules
 * as a save), and which event's example to send. Nothing is saved.
 */
export const urlTrialInput = z.object({
  url,
  secrets,
  eventType: z.enum(PUBLISHABLE_EVENTS).optional(),
});
export type UrlTrialInput = z.output<typeof urlTrialInput>;

/**
 * The contract's message list for a failed parse: one message per failed rule, in field order,
 * each once. Issues that are not ours (the body is not an object) get a message in the same style.
 */
export function toContractMessages(error: z.ZodError): string[] {
  const messages = error.issues.map((issue) =>
    issue.code === "invalid_type" && issue.path.length === 0
      ? "request body must be a JSON object"
      : issue.message,
  );
  return unique(messages);
}

/** The admin list: one page at a time (from the cursor the previous page returned), optionally filtered. */
export const listWebhooksInput = z.object({
  cursor: z
    .string()
    .max(200, "cursor must be one the previous page returned")
    .refine((cursor) => listCursorKeys(cursor) !== null, "cursor must be one the previous page returned")
    .optional(),
  limit: z.number().int().min(1).max(100).default(WEBHOOK_PAGE_SIZE),
  facilityId: z.string().min(1).max(MAX_FACILITY_ID_LENGTH).optional(),
  /** Webhooks that receive this event: those listing it and those listing `all`. */
  event: z.enum(WEBHOOK_EVENTS).optional(),
  health: z.enum(WEBHOOK_HEALTH_STATES).optional(),
});

/**
 * The list page's address (`/webhooks?facility=…&event=…&health=…&after=…`), which its filter form
 * and "Load more" link write so the list works with scripts off; read into the list's input.
 */
export const webhookListSearchParams = z.preprocess(
  // An empty field is the form's "any": no filter.
  (params) =>
    params && typeof params === "object"
      ? Object.fromEntries(Object.entries(params).filter(([, value]) => value !== ""))
      : params,
  z
    .object({
      facility: z.string().max(MAX_FACILITY_ID_LENGTH, "facility must be one of yours").optional(),
      event: z.enum(WEBHOOK_EVENTS, `event must be one of: ${WEBHOOK_EVENTS.join(", ")}`).optional(),
      health: z
        .enum(WEBHOOK_HEALTH_STATES, `health must be one of: ${WEBHOOK_HEALTH_STATES.join(", ")}`)
        .optional(),
      after: listWebhooksInput.shape.cursor,
    })
    .transform(({ facility, after, ...filters }) => ({ ...filters, facilityId: facility, cursor: after })),
);
export type WebhookListFilters = Partial<z.output<typeof webhookListSearchParams>>;
