/**
 * REST adapter helpers: read a JSON body safely, run a shared schema, turn every refusal into the
 * contract's exact body. Route handlers stay a few lines each.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { principalFromBearer } from "../auth/bearer";
import type { Principal } from "../auth/principal";
import { clientAddress } from "../auth/session-cookie";
import { AppError, asAppError, ERROR_TABLE } from "../errors";
import { enforceRequestRate } from "../rate-limits";
import type { Webhook } from "../webhooks/webhook";
import { toContractMessages } from "../webhooks/webhook.schemas";
import type { RequestOrigin } from "../webhooks/webhook-history";
import { currentRequestId, logError } from "./log";
import { observed } from "./observed";

export const MAX_BODY_BYTES = 100 * 1024;

const json = (body: unknown, status: number) => Response.json(body, { status });

/**
 * The body as parsed JSON. An empty body is `{}` (as the original service reads it); a body that
 * is not JSON or is larger than `maxBytes` (the contract's MAX_BODY_BYTES unless an internal
 * endpoint says otherwise) is refused before anything else looks at it.
 */
export async function readJson(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const text = new TextDecoder().decode(await readBody(request, maxBytes));
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "request body must be valid JSON");
  }
}

const tooLarge = (maxBytes: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `request body must not be larger than ${maxBytes / 1024} kB`);

/**
 * The body's bytes, refused (413) past `maxBytes`: at once when Content-Length says so, and while
 * reading otherwise, so a lying or absent Content-Length cannot make us buffer more.
 */
export async function readBody(
  request: Request,
  maxBytes = MAX_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses the request body with a shared schema; 400 with the contract's message list on failure. */
export async function parseBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(request));
  if (!parsed.success) throw new AppError("BAD_REQUEST", toContractMessages(parsed.error));
  return parsed.data;
}

/** Every refusal in the contract's envelope; an unexpected error says nothing but its request id. */
export function errorResponse(error: unknown, request?: Request): Response {
  const refusal = asAppError(error);
  if (refusal) {
    const entry = ERROR_TABLE[refusal.code];
    const response = json(entry.restBody(refusal), entry.httpStatus);
    if (refusal.retryAfterSeconds) response.headers.set("Retry-After", String(refusal.retryAfterSeconds));
    return response;
  }
  const requestId = currentRequestId() ?? randomUUID();
  logError(error, {
    requestId,
    ...(request && { method: request.method, path: new URL(request.url).pathname }),
  });
  return json({ message: "Internal Server Error", statusCode: 500, requestId }, 500);
}

type Handler<P> = (args: { request: Request; principal: Principal; params: P }) => Promise<Response>;

/**
 * Wraps a public API handler (`route`: its path template, for logs and metrics): authenticates the
 * bearer token first (401 before anything else, as the contract orders checks), applies the
 * client's rate limit, then maps every refusal to its contract body.
 */
export function publicApiRoute<P = Record<string, never>>(route: string, handler: Handler<P>) {
  return observed(route, async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const principal = await principalFromBearer(request.headers.get("authorization"));
      await enforceRequestRate(principal.clientId ?? principal.userId);
      return await handler({ request, principal, params: await context.params });
    } catch (error) {
      return errorResponse(error, request);
    }
  });
}

export const ok = (body: unknown, status = 200) => json(body, status);
export const created = (data: unknown) => json({ data }, 201);

/** The webhook as the contract shows it (without its version), the version as the ETag. */
export const contractWebhook = ({ version: _, ...webhook }: Webhook) => webhook;
export function webhookResponse(webhook: Webhook, status: 200 | 201): Response {
  const response = json({ data: contractWebhook(webhook) }, status);
  response.headers.set("ETag", `"${webhook.version}"`);
  return response;
}

/**
 * The version an `If-Match` header asks for: undefined without one (or `*`, any version); a value
 * that is not one of our ETags can never match (-1), so the request is refused with 412.
 */
export function expectedVersionFrom(request: Request): number | undefined {
  const header = request.headers.get("if-match")?.trim();
  if (!header || header === "*") return undefined;
  const version = header.match(/^"(\d{1,9})"$/)?.[1];
  return version ? Number(version) : -1;
}

/** Where the request came from, for the change history. */
export const requestOrigin = (request: Request): RequestOrigin => ({
  ip: clientAddress(request.headers),
  userAgent: request.headers.get("user-agent") ?? "",
});
