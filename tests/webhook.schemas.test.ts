import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  createWebhookInput,
  toContractMessages,
  updateWebhookInput,
} from "../server/webhooks/webhook.schemas";
import { WEBHOOK_EVENTS } from "../server/webhooks/webhook-rules";
import { SEED_BODY, SEED_MESSAGES } from "./contract";

const EVENTS_MESSAGE = `each value in events must be one of the following values: ${WEBHOOK_EVENTS.join(", ")}`;

function messagesFor(body: unknown, schema: z.ZodType = updateWebhookInput): string[] {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : toContractMessages(parsed.error);
}

const secret = (n: number) => "s".repeat(n);

describe("contract message mapping", () => {
  it("turns the seed body into exactly the seed's eight messages, in order", () => {
    expect(messagesFor(SEED_BODY)).toEqual(SEED_MESSAGES);
    expect(messagesFor(SEED_BODY, createWebhookInput)).toEqual(SEED_MESSAGES);
  });

  it.each([
    ["an http URL", { url: "http://example.com/hook" }, ["should be a secure URL with HTTPS"]],
    ["a URL without a host", { url: "https://" }, ["should be a secure URL with HTTPS"]],
    ["text that is not a URL", { url: "example.com" }, ["should be a secure URL with HTTPS"]],
    ["an empty URL", { url: "" }, ["should be a secure URL with HTTPS"]],
    // The original's validator.js isURL: a top-level domain, no underscores, no trailing dot.
    [
      "a host without a top-level domain",
      { url: "https://no-tld/hook" },
      ["should be a secure URL with HTTPS"],
    ],
    ["localhost", { url: "https://localhost/hook" }, ["should be a secure URL with HTTPS"]],
    [
      "an underscore in the host",
      { url: "https://my_host.example.com/" },
      ["should be a secure URL with HTTPS"],
    ],
    ["a trailing dot", { url: "https://example.com./hook" }, ["should be a secure URL with HTTPS"]],
    ["a number as URL", { url: 42 }, ["should be a secure URL with HTTPS", "url must be a string"]],
    ["null as URL", { url: null }, ["should be a secure URL with HTTPS", "url must be a string"]],
    [
      "a URL over 2048 characters",
      { url: `https://example.com/${"a".repeat(2048)}` },
      ["url must be shorter than or equal to 2048 characters"],
    ],
    ["no events", { events: [] }, ["events must contain at least 1 elements"]],
    ["an unknown event", { events: ["shift.created", "shift.exploded"] }, [EVENTS_MESSAGE]],
    ["a number among events", { events: [7] }, [EVENTS_MESSAGE]],
    [
      "events as a string",
      { events: "shift.created" },
      // A non-array fails the array rules, then is checked itself against the element rule (passes).
      ["events must contain at least 1 elements", "events must be an array"],
    ],
    [
      "null as events",
      { events: null },
      ["events must contain at least 1 elements", "events must be an array", EVENTS_MESSAGE],
    ],
    ["a number among facilities", { facilities: ["P-1", 2] }, ["each value in facilities must be a string"]],
    ["facilities as a string", { facilities: "P-1" }, ["facilities must be an array"]],
    [
      "facilities as a number",
      { facilities: 5 },
      ["facilities must be an array", "each value in facilities must be a string"],
    ],
    ["an empty facility id", { facilities: [" "] }, ["each value in facilities should not be empty"]],
    [
      "more than 1000 facilities",
      { facilities: Array.from({ length: 1001 }, (_, i) => `P-${i}`) },
      ["facilities must contain no more than 1000 elements"],
    ],
    [
      "three secrets",
      { secrets: [secret(16), secret(17), secret(18)] },
      ["secrets must contain no more than 2 elements"],
    ],
    ["no secrets", { secrets: [] }, ["secrets must contain at least 1 elements"]],
    [
      "secrets as a string",
      { secrets: secret(20) },
      ["secrets must contain no more than 2 elements", "secrets must be an array"],
    ],
    ["a number among secrets", { secrets: [5] }, ["each value in secrets must be a string"]],
    [
      "a short secret",
      { secrets: [secret(15)] },
      ["each value in secrets must be longer than or equal to 16 characters"],
    ],
    [
      "a long secret",
      { secrets: [secret(129)] },
      ["each value in secrets must be shorter than or equal to 128 characters"],
    ],
  ])("refuses %s with the contract's words", (_name, body, expected) => {
    expect(messagesFor(body)).toEqual(expected);
  });

  it("reports properties in the order url, events, facilities, secrets whatever the body's order", () => {
    const body = { secrets: [], facilities: "x", events: [], url: "http://x" };
    expect(messagesFor(body)).toEqual([
      "should be a secure URL with HTTPS",
      "events must contain at least 1 elements",
      "facilities must be an array",
      "secrets must contain at least 1 elements",
    ]);
  });

  it("says so when the body is not an object", () => {
    expect(messagesFor([])).toEqual(["request body must be a JSON object"]);
    expect(messagesFor("text")).toEqual(["request body must be a JSON object"]);
    expect(messagesFor(null)).toEqual(["request body must be a JSON object"]);
  });

  it("requires url and events on create, with the same messages as a bad value", () => {
    expect(messagesFor({}, createWebhookInput)).toEqual([
      "should be a secure URL with HTTPS",
      "url must be a string",
      "events must contain at least 1 elements",
      "events must be an array",
      EVENTS_MESSAGE,
    ]);
  });
});

describe("accepted input", () => {
  it("leaves absent fields out of an update, so they stay as they are", () => {
    expect(updateWebhookInput.parse({})).toEqual({});
  });

  it("keeps the given order, drops repeated events and facilities, and ignores id and clientId", () => {
    const parsed = updateWebhookInput.parse({
      id: "someone-else",
      clientId: "someone-else",
      url: "https://example.com/hook",
      events: ["shift.cancelled", "all", "shift.cancelled"],
      facilities: ["P-2", "P-1", "P-2"],
      secrets: [secret(16), secret(32)],
    });
    expect(parsed).toEqual({
      url: "https://example.com/hook",
      events: ["shift.cancelled", "all"],
      facilities: ["P-2", "P-1"],
      secrets: [secret(16), secret(32)],
    });
  });

  it("accepts a create body with only url and events", () => {
    expect(createWebhookInput.parse({ url: "https://example.com", events: ["all"] })).toEqual({
      url: "https://example.com",
      events: ["all"],
    });
  });

  it.each([
    "https://example.com",
    "https://hooks.example.co.uk:8443/path?query=1#frag",
    "https://203.0.113.5/hook",
    "https://[2001:db8::1]/hook",
    "https://xn--bcher-kva.example/hook",
  ])("accepts %s as a secure URL, as the original does", (url) => {
    expect(updateWebhookInput.safeParse({ url }).success).toBe(true);
  });
});
