/**
 * The public API's OpenAPI 3.1 document, made from the schemas the handlers run: request bodies
 * from webhook.schemas.ts, query parameters from delivery.schemas.ts, error bodies from the error
 * table, the `webhooks` section from the event catalogue. Only the answers' shapes are written
 * here; tests/openapi.test.ts checks real answers against them.
 */
import { z } from "zod";
import { deliveryLogQuery, pageQuery } from "../deliveries/delivery.schemas";
import { AppError, type AppErrorCode, ERROR_TABLE } from "../errors";
import { EVENT_CATALOGUE } from "../webhooks/event-catalogue";
import { EVENT_DATA_SCHEMAS } from "../webhooks/event-data.schemas";
import { createWebhookInput, updateWebhookInput } from "../webhooks/webhook.schemas";
import { type PublishableEvent, WEBHOOK_EVENTS } from "../webhooks/webhook-rules";
import { MAX_BODY_BYTES } from "./rest";

export const OPENAPI_PATH = "/api/v2/public/openapi.json";
const BASE = "/api/v2/public/webhooks";

type JsonSchema = Record<string, unknown>;

/**
 * A body field of webhook.schemas.ts takes any value (to report every rule it breaks) and pipes
 * what passes into its typed schema: the document shows the typed side.
 */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema: generated }) => {
      const { def } = zodSchema._zod;
      if (def.type === "pipe" && (def as z.core.$ZodPipeDef).in._zod.def.type === "unknown") {
        Object.assign(generated, jsonSchema((def as z.core.$ZodPipeDef).out as unknown as z.ZodType));
      }
    },
  }) as JsonSchema;
  return rest;
}

const webhookEvent = z.enum(WEBHOOK_EVENTS);
const attemptFields = {
  id: z.uuid(),
  facilityId: z.string(),
  eventType: z.string(),
  requestPayload: z.unknown().describe("the body that was sent: { data, eventType }"),
  responseStatus: z.number().int().nullable().describe("null when the receiver did not answer"),
  responseBody: z.string().describe("the first 4 KB of the answer, or why there was none"),
  url: z.string(),
};

/** The answers' shapes (the requests' come from the handlers' own schemas). */
export const responseSchemas = {
  Webhook: z.object({
    id: z.uuid(),
    url: z.string().describe("where deliveries are POSTed (https)"),
    events: z.array(webhookEvent).describe("`all` is every event, present and future"),
    clientId: z.string().describe("the API client that owns the webhook"),
    facilities: z.array(z.string()).describe("facility ids whose events the webhook receives"),
    secrets: z.array(z.string()).describe("one or two signing secrets; while two exist, both sign"),
  }),
  DeliveryLog: z.object({
    ...attemptFields,
    retries: z.array(z.object({ ...attemptFields, retryAttempt: z.number().int() })),
    retryCount: z.number().int().describe("all retries; `retries` holds the latest 10"),
    status: z.enum(["success", "failure"]),
  }),
  WebhookChange: z.object({
    id: z.uuid(),
    webhookId: z.uuid(),
    version: z.number().int(),
    action: z.string(),
    actor: z.string(),
    ip: z.string(),
    userAgent: z.string(),
    changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
    createdAt: z.iso.datetime(),
    restorable: z.boolean(),
  }),
  Error: z.object({
    message: z.union([z.string(), z.array(z.string())]),
    error: z.string().optional(),
    statusCode: z.number().int(),
    requestId: z.uuid().optional().describe("500 only: the id under which the server logged it"),
  }),
  SigningKeys: z.object({
    keys: z.array(
      z.object({
        kty: z.literal("OKP"),
        crv: z.literal("Ed25519"),
        x: z.string().describe("the raw 32-byte public key, base64url"),
        kid: z.string().describe("the key's RFC 7638 thumbprint"),
        use: z.literal("sig"),
        alg: z.literal("EdDSA"),
      }),
    ),
  }),
};

const ref = (name: keyof typeof responseSchemas) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, example?: unknown) => ({
  "application/json": { schema, ...(example !== undefined && { example }) },
});

const SAMPLE_WEBHOOK = {
  id: "9f08085c-9d51-49e6-bda0-e8b32e0f6605",
  url: "https://example.com/webhook",
  events: ["shift.report.created", "shift.request.created"],
  clientId: "3b1e1d0c-6a55-4f0e-8d8e-2f4b2d1c9a77",
  facilities: ["P-123456", "P-123457"],
  secrets: ["sDV1aKqitCLClI12m7UPFbAAvZfZquJw", "mryefgHPBVHJwux0o3BYW7hPM0BZlcCa"],
};

/** Example refusals, each made by the error table the handlers answer with. */
const REFUSALS: Record<number, { description: string; code?: AppErrorCode; message?: string | string[] }> = {
  400: {
    description: "Validation failed: one message per broken rule",
    code: "BAD_REQUEST",
    message: ["should be a secure URL with HTTPS", "events must contain at least 1 elements"],
  },
  401: { description: "Missing, malformed, unknown or revoked bearer token", code: "UNAUTHORIZED" },
  403: { description: "A listed facility the caller cannot access", code: "FORBIDDEN" },
  404: {
    description: "No such webhook, or another client's",
    code: "NOT_FOUND",
    message: "Webhook not found",
  },
  412: {
    description: "`If-Match` names a version that is no longer current",
    code: "PRECONDITION_FAILED",
    message: "Webhook was modified by someone else",
  },
  413: {
    description: `Body larger than ${MAX_BODY_BYTES / 1024} kB`,
    code: "PAYLOAD_TOO_LARGE",
    message: `request body must not be larger than ${MAX_BODY_BYTES / 1024} kB`,
  },
  429: {
    description: "Over the client's request rate; `Retry-After` says when to retry",
    code: "TOO_MANY_REQUESTS",
  },
  500: { description: "Never on purpose; carries only a request id, also in the server log" },
};

function refusal(status: number) {
  const { description, code, message } = REFUSALS[status] ?? { description: "" };
  const example = code
    ? ERROR_TABLE[code].restBody(new AppError(code, message))
    : {
        message: "Internal Server Error",
        statusCode: 500,
        requestId: "5d0f4c1e-2b7a-4e8c-9f3d-1a2b3c4d5e6f",
      };
  return {
    description,
    ...(status === 429 && {
      headers: { "Retry-After": { schema: { type: "integer" }, description: "seconds" } },
    }),
    content: json(ref("Error"), example),
  };
}

/** The statuses each operation documents (tests/openapi.test.ts makes each one happen). */
export const OPERATION_STATUSES = {
  listWebhooks: [200, 401, 429, 500],
  createWebhook: [201, 400, 401, 403, 413, 429, 500],
  getWebhook: [200, 401, 404, 429, 500],
  updateWebhook: [201, 400, 401, 403, 404, 412, 413, 429, 500],
  deleteWebhook: [201, 401, 404, 412, 429, 500],
  listWebhookHistory: [200, 400, 401, 404, 429, 500],
  searchDeliveryLog: [200, 400, 401, 429, 500],
  listSigningKeys: [200, 500],
} as const;
type OperationId = keyof typeof OPERATION_STATUSES;
const TAGS: Partial<Record<OperationId, string>> = {
  searchDeliveryLog: "Delivery log",
  listSigningKeys: "Signing keys",
};

function operation(
  operationId: OperationId,
  summary: string,
  success: { description: string; content?: unknown; headers?: unknown },
  extra: Record<string, unknown> = {},
) {
  const [ok, ...refusals] = OPERATION_STATUSES[operationId];
  return {
    operationId,
    summary,
    tags: [TAGS[operationId] ?? "Webhooks"],
    security: [{ bearer: [] }],
    ...extra,
    responses: {
      [ok]: success,
      ...Object.fromEntries(refusals.map((status) => [status, refusal(status)])),
    },
  };
}

const webhookIdParameter = {
  name: "webhookId",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};
const ifMatch = {
  name: "If-Match",
  in: "header",
  required: false,
  description:
    "The webhook's ETag as last read: the change applies only if no one changed it since (else 412).",
  schema: { type: "string" },
};
const etag = { ETag: { description: "The webhook's version, for `If-Match`", schema: { type: "string" } } };

/** Query parameters from the schema the handler parses them with. */
/** A schema's query parameters; a field's `description` and `example` (its `.meta()`) describe the parameter. */
function queryParameters(schema: z.ZodObject, arrays: string[] = []) {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, example, ...fieldSchema } = jsonSchema(field as z.ZodType);
    return {
      name,
      in: "query",
      required: false,
      ...(description !== undefined && { description }),
      ...(example !== undefined && { example }),
      ...(arrays.includes(name) && { style: "form", explode: true }),
      schema: fieldSchema,
    };
  });
}

const requestBody = (schema: z.ZodType, example: unknown) => ({
  required: true,
  content: json(jsonSchema(schema), example),
});

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Facility webhooks API",
      version: "2.0.0",
      description:
        'Manage the webhooks through which the platform tells your systems about shifts. Every delivery is a `POST` of `{ data, eventType }` signed twice: `Nursa-Signature: t=<unix seconds>, v1=<hex HMAC-SHA256 of "<t>.<body>">` (one `v1` per secret) and the Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC>` per secret, and for webhooks opted in to Ed25519 `v1a,<base64>` per platform key, verified with the keys at `/api/v2/public/webhooks/signing-keys`).',
    },
    servers: [{ url: "/" }],
    tags: [
      { name: "Webhooks", description: "A client's webhooks" },
      { name: "Delivery log", description: "What was sent, and how receivers answered" },
      { name: "Signing keys", description: "The public keys that verify `v1a` (Ed25519) signatures" },
    ],
    paths: {
      [`${BASE}/facility`]: {
        get: operation("listWebhooks", "List the caller's webhooks", {
          description: "The caller's webhooks",
          content: json(
            { type: "object", properties: { data: { type: "array", items: ref("Webhook") } } },
            { data: [SAMPLE_WEBHOOK] },
          ),
        }),
        post: operation(
          "createWebhook",
          "Create a webhook",
          {
            description: "Created",
            headers: etag,
            content: json({ type: "object", properties: { data: ref("Webhook") } }, { data: SAMPLE_WEBHOOK }),
          },
          {
            description:
              "`facilities` absent or `[]`: every facility the caller can access. `secrets` absent: one is generated.",
            requestBody: requestBody(createWebhookInput, {
              url: SAMPLE_WEBHOOK.url,
              events: SAMPLE_WEBHOOK.events,
              facilities: SAMPLE_WEBHOOK.facilities,
            }),
          },
        ),
      },
      [`${BASE}/facility/{webhookId}`]: {
        parameters: [webhookIdParameter],
        get: operation("getWebhook", "Read one webhook, with its ETag", {
          description: "The webhook",
          headers: etag,
          content: json({ type: "object", properties: { data: ref("Webhook") } }, { data: SAMPLE_WEBHOOK }),
        }),
        patch: operation(
          "updateWebhook",
          "Update a webhook",
          {
            description: "Updated (201, as the original service answers)",
            headers: etag,
            content: json({ type: "object", properties: { data: ref("Webhook") } }, { data: SAMPLE_WEBHOOK }),
          },
          {
            description:
              "Every field optional; an absent field is left as it is, `{}` changes nothing. `facilities: []` means every facility the caller can access.",
            parameters: [ifMatch],
            requestBody: requestBody(updateWebhookInput, { events: ["shift.created", "shift.cancelled"] }),
          },
        ),
        delete: operation(
          "deleteWebhook",
          "Delete a webhook",
          { description: "Deleted (empty body)" },
          { parameters: [ifMatch] },
        ),
      },
      [`${BASE}/facility/{webhookId}/history`]: {
        parameters: [webhookIdParameter],
        get: operation(
          "listWebhookHistory",
          "A webhook's changes, newest first",
          {
            description: "Who changed what, when and from where; secrets only as fingerprints",
            content: json({
              type: "object",
              properties: { data: { type: "array", items: ref("WebhookChange") } },
            }),
          },
          { parameters: queryParameters(pageQuery) },
        ),
      },
      [`${BASE}/logs`]: {
        get: operation(
          "searchDeliveryLog",
          "Search the caller's delivery log",
          {
            description: "One entry per delivery, its later attempts as `retries`",
            content: json({
              type: "object",
              properties: { data: { type: "array", items: ref("DeliveryLog") } },
            }),
          },
          { parameters: queryParameters(deliveryLogQuery, ["facilitiesIds"]) },
        ),
      },
      [`${BASE}/signing-keys`]: {
        get: operation(
          "listSigningKeys",
          "The platform's Ed25519 public keys, a JWK set",
          {
            description:
              "The keys that sign now; during a rotation's overlap both the old and the new key sign every delivery. Cache it as `Cache-Control` says, and fetch it again when a `v1a` signature does not verify with the keys you hold.",
            headers: { "Cache-Control": { schema: { type: "string" }, description: "public, max-age=300" } },
            content: json(ref("SigningKeys")),
          },
          {
            description:
              "No token needed. Webhooks opted in to Ed25519 (on their edit page) carry `v1a,<base64>` per key in `webhook-signature`: the Ed25519 signature of `<webhook-id>.<webhook-timestamp>.<body>`.",
            security: [],
          },
        ),
      },
    },
    webhooks: Object.fromEntries(
      Object.entries(EVENT_CATALOGUE).map(([eventType, { description, example }]) => [
        eventType,
        {
          post: {
            summary: description,
            requestBody: {
              required: true,
              content: json(
                {
                  type: "object",
                  required: ["data", "eventType"],
                  properties: {
                    data: jsonSchema(EVENT_DATA_SCHEMAS[eventType as PublishableEvent]),
                    eventType: { const: eventType },
                  },
                },
                { data: example, eventType },
              ),
            },
            responses: { 200: { description: "Any 2xx: delivered. 4xx, 5xx or no answer: retried." } },
          },
        },
      ]),
    ),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API client's token" } },
      schemas: Object.fromEntries(
        Object.entries(responseSchemas).map(([name, schema]) => [name, jsonSchema(schema)]),
      ),
    },
  };
  return cached;
}
