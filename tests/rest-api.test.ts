/**
 * The public REST contract (../shared/spec/facility-webhooks.md), case by case, through the real
 * Next route handlers and a real SQLite file.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { SEED_BODY, SEED_MESSAGES } from "./contract";
import { createTenant, type Tenant } from "./helpers";

const BASE = "http://localhost/api/v2/public/webhooks/facility";

type Call = { token?: string | null; body?: unknown; rawBody?: string; authorization?: string };

async function send(method: string, webhookId: string | null, call: Call = {}) {
  const headers = new Headers({ "content-type": "application/json" });
  if (call.authorization !== undefined) headers.set("authorization", call.authorization);
  else if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  const request = new Request(webhookId ? `${BASE}/${webhookId}` : BASE, {
    method,
    headers,
    body: method === "GET" ? undefined : body,
  });
  const handlers = (webhookId ? item : collection) as Record<string, typeof item.PATCH>;
  const handler = handlers[method];
  if (!handler) throw new Error(`no ${method} handler`);
  const response = await handler(request, { params: Promise.resolve({ webhookId: webhookId ?? "" }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const list = (token: string) => send("GET", null, { token });
const create = (token: string, body: unknown) => send("POST", null, { token, body });
const patch = (token: string, id: string, call: Omit<Call, "token">) => send("PATCH", id, { token, ...call });

const UNAUTHORIZED = { message: "Unauthorized", statusCode: 401 };
const FORBIDDEN = { message: "Forbidden Resource", error: "Forbidden", statusCode: 403 };
const NOT_FOUND = { message: "Webhook not found", error: "Not Found", statusCode: 404 };
const badRequest = (message: string[]) => ({ message, error: "Bad Request", statusCode: 400 });

let alice: Tenant;
let bob: Tenant;
let token: string;

beforeAll(async () => {
  alice = await createTenant(2);
  bob = await createTenant(1);
  token = alice.client.token;
});

async function newWebhook() {
  const { status, body } = await create(token, {
    url: "https://alice.example/hook",
    events: ["shift.created"],
    facilities: [alice.facilityIds[0]],
  });
  expect(status).toBe(201);
  return body.data as { id: string; url: string; events: string[]; facilities: string[]; secrets: string[] };
}

/** Runs a refused request and proves the webhook and the caller's list are exactly as before. */
async function expectNoChange(webhookId: string, refused: () => Promise<unknown>) {
  const before = await list(token);
  await refused();
  expect(await list(token)).toEqual(before);
  expect(before.body.data.some((w: { id: string }) => w.id === webhookId)).toBe(true);
}

describe("authentication (401, checked first)", () => {
  it.each([
    ["no Authorization header", undefined],
    ["a non-bearer scheme", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"],
    ["a malformed bearer token", "Bearer not a token"],
    ["an unknown token", `Bearer ${"x".repeat(43)}`],
  ])("refuses %s with the exact 401 body on every operation", async (_name, authorization) => {
    const webhook = await newWebhook();
    const call = { authorization: authorization ?? "", body: SEED_BODY };
    for (const [method, id] of [
      ["GET", null],
      ["POST", null],
      ["PATCH", webhook.id],
      ["DELETE", webhook.id],
    ] as const) {
      expect(await send(method, id, call)).toEqual({ status: 401, body: UNAUTHORIZED });
    }
  });
});

describe("PATCH /:webhookId", () => {
  it("answers 201 with the updated webhook", async () => {
    const webhook = await newWebhook();
    const result = await patch(token, webhook.id, {
      body: { url: "https://alice.example/v2", events: ["shift.report.created", "shift.request.created"] },
    });
    expect(result).toEqual({
      status: 201,
      body: {
        data: {
          ...webhook,
          url: "https://alice.example/v2",
          events: ["shift.report.created", "shift.request.created"],
          clientId: alice.client.clientId,
        },
      },
    });
  });

  it("answers {} with 201 and the webhook unchanged; id and clientId in a body change nothing", async () => {
    const webhook = await newWebhook();
    expect((await patch(token, webhook.id, { body: {} })).body.data).toEqual({
      ...webhook,
      clientId: alice.client.clientId,
    });
    const ignored = await patch(token, webhook.id, {
      body: { id: randomUUID(), clientId: bob.client.clientId },
    });
    expect(ignored.status).toBe(201);
    expect(ignored.body.data.id).toBe(webhook.id);
    expect(ignored.body.data.clientId).toBe(alice.client.clientId);
  });

  it("answers the seed body with exactly the seed's eight messages, changing nothing", async () => {
    const webhook = await newWebhook();
    await expectNoChange(webhook.id, async () => {
      expect(await patch(token, webhook.id, { body: SEED_BODY })).toEqual({
        status: 400,
        body: badRequest(SEED_MESSAGES),
      });
    });
  });

  it.each([
    ["malformed JSON", { rawBody: '{"url": ' }, ["request body must be valid JSON"]],
    ["a JSON array", { body: [] }, ["request body must be a JSON object"]],
    ["a JSON string", { body: "https://x.example" }, ["request body must be a JSON object"]],
    ["null", { rawBody: "null" }, ["request body must be a JSON object"]],
    ["a null url", { body: { url: null } }, ["should be a secure URL with HTTPS", "url must be a string"]],
    ["null events", { body: { events: null } }, SEED_MESSAGES.slice(2, 5)],
    ["numbers as secrets", { body: { secrets: [1, 2] } }, ["each value in secrets must be a string"]],
    [
      "a URL on a private IP literal",
      { body: { url: "https://10.0.0.7/hook" } },
      ["url must not point to a private or internal address"],
    ],
    [
      "an object as facilities",
      { body: { facilities: { a: 1 } } },
      ["facilities must be an array", "each value in facilities must be a string"],
    ],
  ])("refuses %s with 400 in the contract's envelope, changing nothing", async (_name, call, messages) => {
    const webhook = await newWebhook();
    await expectNoChange(webhook.id, async () => {
      expect(await patch(token, webhook.id, call)).toEqual({ status: 400, body: badRequest(messages) });
    });
  });

  it("refuses a 2 MB body with 413 in the contract's envelope, changing nothing", async () => {
    const webhook = await newWebhook();
    const rawBody = JSON.stringify({ url: `https://x.example/${"a".repeat(2 * 1024 * 1024)}` });
    await expectNoChange(webhook.id, async () => {
      expect(await patch(token, webhook.id, { rawBody })).toEqual({
        status: 413,
        body: {
          message: ["request body must not be larger than 100 kB"],
          error: "Payload Too Large",
          statusCode: 413,
        },
      });
    });
  });

  it("answers 404 for an unknown id, an id that is not a UUID, and another client's webhook", async () => {
    const bobs = await create(bob.client.token, { url: "https://bob.example", events: ["all"] });
    for (const id of [randomUUID(), "not-a-uuid", bobs.body.data.id]) {
      expect(await patch(token, id, { body: { url: "https://stolen.example" } })).toEqual({
        status: 404,
        body: NOT_FOUND,
      });
    }
    expect((await list(bob.client.token)).body.data).toEqual([bobs.body.data]);
  });

  it("validates the body before looking for the webhook (invalid body to an unknown id is 400)", async () => {
    expect((await patch(token, randomUUID(), { body: SEED_BODY })).status).toBe(400);
  });

  it("looks for the webhook before checking facilities (unknown id with a foreign facility is 404)", async () => {
    expect(await patch(token, randomUUID(), { body: { facilities: bob.facilityIds } })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
  });

  it("answers 403 for a facility the caller cannot access or that does not exist, changing nothing", async () => {
    const webhook = await newWebhook();
    for (const facilities of [bob.facilityIds, ["P-nowhere"], [alice.facilityIds[1], bob.facilityIds[0]]]) {
      await expectNoChange(webhook.id, async () => {
        expect(
          await patch(token, webhook.id, { body: { url: "https://changed.example", facilities } }),
        ).toEqual({
          status: 403,
          body: FORBIDDEN,
        });
      });
    }
  });

  it("replaces facilities, [] meaning every facility the caller can access", async () => {
    const webhook = await newWebhook();
    const all = await patch(token, webhook.id, { body: { facilities: [] } });
    expect(all.body.data.facilities).toEqual(alice.facilityIds);
  });
});

describe("GET /", () => {
  it("lists only the caller's own webhooks as {data: [...]}", async () => {
    const mine = await newWebhook();
    const { status, body } = await list(token);
    expect(status).toBe(200);
    expect(body.data.map((w: { id: string }) => w.id)).toContain(mine.id);
    expect(body.data.every((w: { clientId: string }) => w.clientId === alice.client.clientId)).toBe(true);
    const bobs = (await list(bob.client.token)).body.data.map((w: { id: string }) => w.id);
    expect(bobs).not.toContain(mine.id);
  });
});

describe("POST /", () => {
  it("creates with 201, every accessible facility and one generated secret by default", async () => {
    const { status, body } = await create(token, { url: "https://alice.example/new", events: ["all"] });
    expect(status).toBe(201);
    expect(body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: "https://alice.example/new",
      events: ["all"],
      clientId: alice.client.clientId,
      facilities: alice.facilityIds,
      secrets: [expect.stringMatching(/^[A-Za-z0-9]{32}$/)],
    });
  });

  it("requires url and events, and creates nothing when refused", async () => {
    const before = await list(token);
    const { status, body } = await create(token, { facilities: [] });
    expect(status).toBe(400);
    expect(body.message).toEqual(SEED_MESSAGES.slice(0, 5));
    expect(
      await create(token, { url: "https://x.example", events: ["all"], facilities: bob.facilityIds }),
    ).toEqual({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await list(token)).toEqual(before);
  });
});

describe("DELETE /:webhookId", () => {
  it("deletes the caller's webhook with an empty 201, then answers 404", async () => {
    const webhook = await newWebhook();
    expect(await send("DELETE", webhook.id, { token })).toEqual({ status: 201, body: null });
    expect(await send("DELETE", webhook.id, { token })).toEqual({ status: 404, body: NOT_FOUND });
    expect((await list(token)).body.data.map((w: { id: string }) => w.id)).not.toContain(webhook.id);
  });

  it("does not delete another client's webhook", async () => {
    const webhook = await newWebhook();
    expect(await send("DELETE", webhook.id, { token: bob.client.token })).toEqual({
      status: 404,
      body: NOT_FOUND,
    });
    expect((await list(token)).body.data.map((w: { id: string }) => w.id)).toContain(webhook.id);
  });
});

describe("concurrency", () => {
  it("lets concurrent updates of one webhook all succeed, leaving one of them whole", async () => {
    const webhook = await newWebhook();
    // No url: only the replaced rows change, so nothing else orders the writers.
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      events: i % 2 ? ["shift.created", "shift.cancelled"] : ["all"],
      facilities: [alice.facilityIds[i % 2]],
      secrets: [`secret-number-${String(i).padStart(8, "0")}`],
    }));
    const results = await Promise.all(bodies.map((body) => patch(token, webhook.id, { body })));
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 201));

    const final = (await list(token)).body.data.find((w: { id: string }) => w.id === webhook.id);
    const winner = bodies.find((b) => b.secrets[0] === final.secrets[0]);
    expect(final).toEqual({ ...webhook, clientId: alice.client.clientId, ...winner });
  });
});
