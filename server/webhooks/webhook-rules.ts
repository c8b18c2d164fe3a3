/**
 * The rules of a webhook's fields, once: the edit form runs them in the browser, and the input
 * schemas (webhook.schemas.ts) that the tRPC procedures and the REST handlers parse with are made of
 * them. Imports only validator.js's isURL, so the browser bundle takes it whole without a validation
 * library.
 *
 * The public API must answer with the original service's class-validator messages, one per failed
 * rule, including its quirks: a value that is not an array fails every array rule and is also
 * checked against the element rule itself. So each field is a list of rules, each a predicate and
 * its exact message, run in order on the raw value; only a value that passes them all is typed.
 */
import isURL from "validator/lib/isURL.js";

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
export const PUBLISHABLE_EVENTS = WEBHOOK_EVENTS.filter((e): e is PublishableEvent => e !== "all") as [
  PublishableEvent,
  ...PublishableEvent[],
];

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
/** Facility ids are 1–64 characters (`admin facilities add` refuses longer): a filter by a longer one is refused. */
export const MAX_FACILITY_ID_LENGTH = 64;

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

const FIELD_RULES: Record<WebhookField, Rule[]> = {
  url: urlRules,
  events: eventsRules,
  facilities: facilitiesRules,
  secrets: secretsRules,
};

/** Every rule a field's value breaks, as the contract words them, in the contract's order. */
export const brokenRules = (field: WebhookField, value: unknown): string[] =>
  FIELD_RULES[field].filter((rule) => !rule.passes(value)).map((rule) => rule.message);

export const WEBHOOK_PAGE_SIZE = 25;

/** How a webhook's endpoint stands, for the list's filter: sending, failing now, or disabled. */
export const WEBHOOK_HEALTH_STATES = ["healthy", "failing", "disabled"] as const;
export type WebhookHealthState = (typeof WEBHOOK_HEALTH_STATES)[number];
