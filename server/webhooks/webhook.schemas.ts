/**
 * The webhook input schemas, shared by the edit form (browser), the tRPC procedures and the REST
 * handlers. Imports only zod and validator.js's isURL, so the browser bundle can take it whole.
 *
 * The public API must answer with the original service's class-validator messages, one per failed
 * rule, including its quirks: a value that is not an array fails every array rule and is also
 * checked against the element rule itself. So each field is a list of rules, each a predicate and
 * its exact message, run in order on the raw value; only a value that passes them all is typed.
 */
import isURL from "validator/lib/isURL.js";
import { z } from "zod";

export const WEBHOOK_EVENTS = [
  "shift.request.created",
  "shift.request.cancelled",
  "shift.report.created",
  "shift.scheduled.cancelled",
  "shift.scheduled",
  "shift.created",
  "shift.report.accepted-automatically",
  "shift.report.accepted",
  "shift.report.rejected",
  "shift.cancelled",
  "all",
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];
/** Events that happen; `all` is only something a webhook listens to. */
export type PublishableEvent = Exclude<WebhookEventName, "all">;

/** A webhook's editable fields, in the order the contract reports them. */
export const WEBHOOK_FIELDS = ["url", "events", "facilities", "secrets"] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

/**
 * The fields whose values differ between two states of a webhook (either may be absent: before a
 * create, after a delete). One rule for the form's conflict view, the write and the history.
 */
export const differingFields = (
  a: Partial<Record<WebhookField, unknown>> | null,
  b: Partial<Record<WebhookField, unknown>> | null,
): WebhookField[] =>
  WEBHOOK_FIELDS.filter((field) => JSON.stringify(a?.[field] ?? null) !== JSON.stringify(b?.[field] ?? null));

export const MAX_SECRETS = 2;
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 128;
export const MAX_URL_LENGTH = 2048;
export const MAX_FACILITIES = 1000;

type Rule = { message: string; passes: (value: unknown) => boolean };

const isString = (value: unknown): value is string => typeof value === "string";

/** class-validator's `each: true`: every element of an array, or the value itself when it is not one. */
const eachValue =
  (passes: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    Array.isArray(value) ? value.every(passes) : passes(value);

/** A rule that only speaks about arrays, so it adds nothing to the message list of a non-array. */
const whenArray =
  (passes: (value: unknown[]) => boolean) =>
  (value: unknown): boolean =>
    !Array.isArray(value) || passes(value);

const minSize = (name: string, min: number): Rule => ({
  message: `${name} must contain at least ${min} elements`,
  passes: (value) => Array.isArray(value) && value.length >= min,
});

const maxSize = (name: string, max: number): Rule => ({
  message: `${name} must contain no more than ${max} elements`,
  passes: (value) => Array.isArray(value) && value.length <= max,
});

const isArray = (name: string): Rule => ({
  message: `${name} must be an array`,
  passes: Array.isArray,
});

/**
 * Exactly the original's rule: class-validator's `IsUrl({ protocols: ['https'], require_protocol:
 * true })` is validator.js `isURL` with these options, so the same library decides here, in the
 * browser and on the server (a domain with a top-level domain or an IP, no underscores, no
 * trailing dot, at most 2083 characters).
 */
const isSecureUrl = (value: unknown): boolean =>
  isString(value) && isURL(value, { protocols: ["https"], require_protocol: true });

const parsedUrl = (value: unknown): URL | null =>
  isString(value) && URL.canParse(value) ? new URL(value) : null;

/** Credentials in a URL would end up in logs and error texts, so a URL with them is refused. */
const hasCredentials = (value: unknown): boolean => {
  const url = parsedUrl(value);
  return url !== null && (url.username !== "" || url.password !== "");
};

/** The URL without `user:password@` (for URLs stored before that was refused); others unchanged. */
export function withoutCredentials(value: string): string {
  const url = parsedUrl(value);
  if (!url || !hasCredentials(value)) return value;
  url.username = "";
  url.password = "";
  return url.toString();
}

const urlRules: Rule[] = [
  { message: "should be a secure URL with HTTPS", passes: isSecureUrl },
  { message: "url must be a string", passes: isString },
  {
    message: `url must be shorter than or equal to ${MAX_URL_LENGTH} characters`,
    passes: (value) => !isString(value) || value.length <= MAX_URL_LENGTH,
  },
  { message: "url must not contain credentials", passes: (value) => !hasCredentials(value) },
];

const eventsRules: Rule[] = [
  minSize("events", 1),
  isArray("events"),
  {
    message: `each value in events must be one of the following values: ${WEBHOOK_EVENTS.join(", ")}`,
    passes: eachValue((value) => (WEBHOOK_EVENTS as readonly unknown[]).includes(value)),
  },
];

const facilitiesRules: Rule[] = [
  isArray("facilities"),
  {
    message: `facilities must contain no more than ${MAX_FACILITIES} elements`,
    passes: whenArray((value) => value.length <= MAX_FACILITIES),
  },
  { message: "each value in facilities must be a string", passes: eachValue(isString) },
  {
    message: "each value in facilities should not be empty",
    passes: whenArray((value) => value.every((id) => !isString(id) || id.trim() !== "")),
  },
];

const secretsRules: Rule[] = [
  {
    message: "secrets must contain at least 1 elements",
    passes: whenArray((value) => value.length >= 1),
  },
  maxSize("secrets", MAX_SECRETS),
  isArray("secrets"),
  {
    message: "each value in secrets must be a string",
    passes: whenArray((value) => value.every(isString)),
  },
  {
    message: `each value in secrets must be longer than or equal to ${MIN_SECRET_LENGTH} characters`,
    passes: whenArray((value) => value.every((s) => !isString(s) || s.length >= MIN_SECRET_LENGTH)),
  },
  {
    message: `each value in secrets must be shorter than or equal to ${MAX_SECRET_LENGTH} characters`,
    passes: whenArray((value) => value.every((s) => !isString(s) || s.length <= MAX_SECRET_LENGTH)),
  },
];

/** Runs every rule on the raw value (reporting each failure at the field), then types what passed. */
function field<T>(rules: Rule[], typed: z.ZodType<T>) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      for (const rule of rules) {
        if (!rule.passes(value)) ctx.addIssue({ code: "custom", message: rule.message });
      }
    })
    .pipe(typed);
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

const url = field(urlRules, z.string());
const events = field(eventsRules, z.array(z.enum(WEBHOOK_EVENTS)).transform(unique));
const facilities = field(facilitiesRules, z.array(z.string()).transform(unique));
const secrets = field(secretsRules, z.array(z.string()));

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

export const WEBHOOK_PAGE_SIZE = 25;

/** The admin list: one page at a time (cursor = last webhook id seen), optionally filtered. */
export const listWebhooksInput = z.object({
  cursor: webhookId.optional(),
  limit: z.number().int().min(1).max(100).default(WEBHOOK_PAGE_SIZE),
  facilityId: z.string().min(1).optional(),
  /** Webhooks that receive this event: those listing it and those listing `all`. */
  event: z.enum(WEBHOOK_EVENTS).optional(),
});
