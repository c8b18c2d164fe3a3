/**
 * The OpenAPI document against a maintained validator and against the API itself: every status an
 * operation documents is made to happen through the real route handlers (500 aside: never on
 * purpose), no other status appears, and each answer's body matches the documented schema.
 */
process.env.API_RATE_LIMIT_PER_MINUTE = "40";

import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import * as openapiRoute from "../app/api/v2/public/openapi.json/route";
import * as history from "../app/api/v2/public/webhooks/facility/[webhookId]/history/route";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import * as logs from "../app/api/v2/public/webhooks/logs/route";
import * as signingKeys from "../app/api/v2/public/webhooks/signing-keys/route";
import { OPERATION_STATUSES } from "../server/http/openapi";
import { MAX_BODY_BYTES } from "../server/http/rest";
import { SEED_BODY } from "./contract";
import { createTenant, type Tenant } from "./helpers";

type OperationId = keyof typeof OPERATION_STATUSES;
type Document = {
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, Response> }>>;
  components: Record<string, unknown>;
};
type Response = { content?: Record<string, { schema: unknown; example?: unknown }> };

let document: Document;
let alice: Tenant;
let limited: Tenant;

beforeAll(async () => {
  const answer = await openapiRoute.GET(new Request("http://localhost/api/v2/public/openapi.json"));
  document = (await answer.json()) as Document;
  alice = await createTenant(2);
  limited = await createTenant(1);
});

type Call = { token?: string; body?: string; ifMatch?: string; query?: string; webhookId?: string };
const ROUTES: Record<OperationId, { method: string; path: string; handler: unknown }> = {
  listWebhooks: { method: "GET", path: "/facility", handler: collection.GET },
  createWebhook: { method: "POST", path: "/facility", handler: collection.POST },
  getWebhook: { method: "GET", path: "/facility/{webhookId}", handler: item.GET },
  updateWebhook: { method: "PATCH", path: "/facility/{webhookId}", handler: item.PATCH },
  deleteWebhook: { method: "DELETE", path: "/facility/{webhookId}", handler: item.DELETE },
  listWebhookHistory: { method: "GET", path: "/facility/{webhookId}/history", handler: history.GET },
  searchDeliveryLog: { method: "GET", path: "/logs", handler: logs.GET },
  listSigningKeys: { method: "GET", path: "/signing-keys", handler: signingKeys.GET },
};

async function call(operationId: OperationId, { token, body, ifMatch, query = "", webhookId = "" }: Call) {
  const { method, path, handler } = ROUTES[operationId];
  const headers = new Headers({ "content-type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (ifMatch) headers.set("if-match", ifMatch);
  const url = `http://localhost/api/v2/public/webhooks${path.replace("{webhookId}", webhookId)}${query}`;
  const request = new Request(url, { method, headers, body: method === "GET" ? undefined : body });
  const answer = await (handler as typeof item.PATCH)(request, { params: Promise.resolve({ webhookId }) });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null };
}

const webhookBody = (facilityId: string | undefined) =>
  JSON.stringify({ url: "https://alice.example/hook", events: ["shift.created"], facilities: [facilityId] });

async function aliceWebhook(): Promise<{ id: string }> {
  const { status, body } = await call("createWebhook", {
    token: alice.client.token,
    body: webhookBody(alice.facilityIds[0]),
  });
  expect(status).toBe(201);
  return body.data;
}

/** One call per documented status but 429 (made below, once the limited client is over its limit). */
async function scenarios(): Promise<Record<OperationId, Call[]>> {
  const token = alice.client.token;
  const [mine, other] = [await aliceWebhook(), await aliceWebhook()];
  const unknown = randomUUID();
  const huge = JSON.stringify({ url: `https://a.example/${"x".repeat(MAX_BODY_BYTES)}` });
  const foreign = JSON.stringify({ facilities: ["P-nobody-has-this"] });
  return {
    listWebhooks: [{ token }, {}],
    createWebhook: [
      { token, body: webhookBody(alice.facilityIds[1]) },
      { token, body: JSON.stringify(SEED_BODY) },
      { body: webhookBody(alice.facilityIds[0]) },
      { token, body: webhookBody("P-nobody-has-this") },
      { token, body: huge },
    ],
    getWebhook: [{ token, webhookId: mine.id }, { webhookId: mine.id }, { token, webhookId: unknown }],
    updateWebhook: [
      { token, webhookId: mine.id, body: JSON.stringify({ events: ["shift.cancelled"] }) },
      { token, webhookId: mine.id, body: JSON.stringify(SEED_BODY) },
      { webhookId: mine.id, body: "{}" },
      { token, webhookId: mine.id, body: foreign },
      { token, webhookId: unknown, body: "{}" },
      { token, webhookId: mine.id, body: "{}", ifMatch: '"999"' },
      { token, webhookId: mine.id, body: huge },
    ],
    deleteWebhook: [
      { token, webhookId: other.id, ifMatch: '"999"' },
      { token, webhookId: other.id },
      { webhookId: other.id },
      { token, webhookId: unknown },
    ],
    listWebhookHistory: [
      { token, webhookId: mine.id },
      { token, webhookId: mine.id, query: "?limit=1000" },
      { webhookId: mine.id },
      { token, webhookId: unknown },
    ],
    searchDeliveryLog: [{ token }, { token, query: "?sortDirection=UP" }, {}],
    listSigningKeys: [{}],
  };
}

const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== "parameters")
      .map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

describe("the OpenAPI document", () => {
  it("is served without a token and validates as OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents every public route handler, and each operation's documented statuses are the ones the API answers, with the documented bodies", async () => {
    expect(
      operations()
        .map(({ operation }) => operation.operationId)
        .sort(),
    ).toEqual(Object.keys(ROUTES).sort());

    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const observed = new Map<string, Set<number>>();
    const record = (operationId: OperationId, status: number, body: unknown) => {
      observed.set(operationId, (observed.get(operationId) ?? new Set()).add(status));
      const { path, method } = ROUTES[operationId];
      const documented = document.paths[`/api/v2/public/webhooks${path}`]?.[method.toLowerCase()];
      const response = documented?.responses[String(status)];
      expect(response, `${operationId} answered an undocumented ${status}`).toBeDefined();
      const content = response?.content?.["application/json"];
      if (!content) return expect(body).toBeNull();
      const validate = ajv.compile({ ...(content.schema as object), components: document.components });
      expect(validate(body), `${operationId} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      // Refusals with one fixed body answer exactly the documented example.
      if ([401, 403, 404, 412, 429].includes(status)) expect(body).toEqual(content.example);
    };

    for (const [operationId, calls] of Object.entries(await scenarios()) as [OperationId, Call[]][]) {
      for (const request of calls) {
        const { status, body } = await call(operationId, request);
        record(operationId, status, body);
      }
    }
    // Over its limit, the limited client is refused by every operation.
    const token = limited.client.token;
    let status = 0;
    while (status !== 429) status = (await call("listWebhooks", { token })).status;
    for (const operationId of Object.keys(ROUTES) as OperationId[]) {
      const answer = await call(operationId, { token, body: "{}", webhookId: randomUUID() });
      record(operationId, answer.status, answer.body);
    }

    for (const [operationId, statuses] of Object.entries(OPERATION_STATUSES)) {
      const expected = statuses.filter((s) => s !== 500); // never on purpose
      expect([...(observed.get(operationId) ?? [])].sort(), operationId).toEqual([...expected].sort());
    }
  });

  it("describes each of the log search's parameters, with an example the API accepts", async () => {
    const { token } = (await createTenant(1)).client;
    const logs = document.paths["/api/v2/public/webhooks/logs"] as unknown as {
      get: { parameters: { name: string; description?: string; example?: string }[] };
    };
    const { parameters } = logs.get;
    const searches = parameters.filter((p) => ["responseStatus", "minLatencyMs", "payload"].includes(p.name));
    expect(searches).toHaveLength(3);
    for (const { name, description, example } of searches) {
      expect(description, name).toMatch(/^Deliveries /);
      const query = `?${new URLSearchParams({ [name]: example ?? "" })}`;
      expect((await call("searchDeliveryLog", { token, query })).status, query).toBe(200);
    }
  });

  it("describes each event the platform sends, with an example its own schema accepts", () => {
    const { webhooks } = document as unknown as {
      webhooks: Record<string, { post: { requestBody: { content: Record<string, Response["content"]> } } }>;
    };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(Object.keys(webhooks)).toHaveLength(10);
    for (const [eventType, { post }] of Object.entries(webhooks)) {
      const content = post.requestBody.content["application/json"] as unknown as {
        schema: object;
        example: unknown;
      };
      expect(ajv.validate(content.schema, content.example), eventType).toBe(true);
      expect(ajv.validate(content.schema, { data: {}, eventType }), eventType).toBe(false);
    }
  });
});
