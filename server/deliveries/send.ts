/**
 * One signed POST to a receiver, as every delivery attempt and test send makes it: through the
 * egress policy (allowed ports, no private addresses unless allowed, no redirects), with a timeout,
 * keeping the status, the first 4 KB of the answer and a Retry-After the receiver asked for.
 */
import type { KeyObject } from "node:crypto";
import { EventEmitter } from "node:events";
import tls from "node:tls";
import { Agent, request } from "undici";
import { getEnv } from "../env";
import { logger } from "../http/log";
import { SIGNATURE_HEADER, signatureHeader, standardWebhookHeaders } from "../webhooks/signature";
import { ForbiddenTargetError, guardedLookup, isForbiddenLiteralUrl, isForbiddenPort } from "./ssrf-guard";

export const DELIVERY_ID_HEADER = "Webhook-Delivery-Id";
const RESPONSE_EXCERPT_BYTES = 4096;

let agent: Agent | undefined;
// One TLS context for every receiver (the trusted CAs are the process's; the host is checked per
// connection): Node would otherwise build one per new connection, ~0.5 ms on the event loop and
// ~1 ms of a connection's setup each (bench/results.md) — and a worker connects to many hosts.
const guardedAgent = () => {
  agent ??= new Agent({
    connect: {
      lookup: guardedLookup(getEnv().WEBHOOK_ALLOWED_HOSTS),
      secureContext: tls.createSecureContext(),
    },
  });
  return agent;
};

export type Outcome = {
  status: number | null;
  /** The answer's first 4 KB as valid text, or why there was no answer. */
  excerpt: string;
  /** The answer's size in bytes, when known (its Content-Length, or all of it was read). */
  bytes?: number | null;
  contentType?: string | null;
  latencyMs: number;
  /** No answer came within WEBHOOK_TIMEOUT_MS (what the endpoint's circuit breaker counts). */
  timedOut?: boolean;
  /** The receiver's Retry-After (429, 502, 503 and 504 answers), in milliseconds from now. */
  retryAfterMs?: number;
  /** The answer's headers, as received (shown by a URL trial; deliveries store none). */
  headers?: Record<string, string | string[] | undefined>;
};

/** Answers after which the receiver's Retry-After is honoured: it is overloaded or behind a gateway. */
const BACK_OFF_STATUSES = new Set([429, 502, 503, 504]);

/** A 3xx is a failure (Standard Webhooks: redirects are not followed); this says why and what to do. */
export const redirectNote = (location: string | null) =>
  `redirected to ${location ?? "(no Location given)"} — not followed: update the webhook's URL`;

/** Retry-After as seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Text from outside as any database stores it: NUL (which PostgreSQL refuses in text, failing the
 * whole statement) becomes U+FFFD, as invalid UTF-8 already did when the bytes were decoded.
 */
const storable = (text: string): string => text.replaceAll("\0", "\uFFFD");

/** The first 4 KB of an answer, and its size when all of it was read. */
async function readExcerpt(
  body: AsyncIterable<Uint8Array> | null,
): Promise<{ excerpt: string; readBytes: number | null }> {
  if (!body) return { excerpt: "", readBytes: 0 };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > RESPONSE_EXCERPT_BYTES) break; // leaving the loop cancels the rest of the body
  }
  const excerpt = storable(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8"));
  return { excerpt, readBytes: size > RESPONSE_EXCERPT_BYTES ? null : size };
}

/** A declared Content-Length, when it is one. */
const declaredLength = (value: string | null) => (value && /^\d{1,15}$/.test(value) ? Number(value) : null);

class TimeoutError extends Error {}

const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|VERIFY|ALTNAME/;

/**
 * What the tenant is told about a failed connection: a category, never the raw error (raw texts
 * help map what our egress address can reach). The raw error goes to the server log.
 */
function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: string }).code ?? "";
  const category =
    error instanceof TimeoutError
      ? `timeout: no answer within ${timeoutMs} ms`
      : cause instanceof ForbiddenTargetError
        ? "refused by policy: the host resolves to a private or internal address"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "DNS: the host name could not be resolved"
          : code === "ECONNREFUSED"
            ? "connection refused"
            : TLS_CODE.test(code)
              ? "TLS: the receiver's certificate or handshake was refused"
              : "connection error: the connection failed or was closed";
  logger.warn(
    { host: new URL(url).host, category, code, detail: String((cause as Error).message ?? cause) },
    "delivery attempt failed",
  );
  return category;
}

/** A header's value as one string (undici gives repeated headers as an array). */
const headerOf = (headers: Record<string, string | string[] | undefined>, name: string): string | null => {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
};

/**
 * One POST: no redirects followed, a timeout, the status and the first 4 KB of the answer.
 *
 * Through undici's `request`, not `fetch`: in a worker draining a backlog, fetch's web streams,
 * Request/Response objects and an AbortSignal per attempt were a fifth of its CPU (bench/results.md).
 * The timeout aborts through a plain EventEmitter, which undici accepts as a signal, for the same
 * reason: Node's AbortSignals are costly to create.
 */
async function post(url: string, body: string, headers: Record<string, string>): Promise<Outcome> {
  const {
    WEBHOOK_TIMEOUT_MS: timeoutMs,
    WEBHOOK_ALLOWED_HOSTS: allowed,
    WEBHOOK_ALLOWED_PORTS: ports,
  } = getEnv();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // An IP literal is connected to without a lookup, so it is checked here.
  if (isForbiddenLiteralUrl(url, allowed)) {
    return { status: null, excerpt: "refused by policy: a private or internal address", latencyMs: 0 };
  }
  if (isForbiddenPort(url, allowed, ports)) {
    return {
      status: null,
      excerpt: `refused by policy: port ${new URL(url).port} is not allowed`,
      latencyMs: 0,
    };
  }
  const abort = new EventEmitter();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.emit("abort");
  }, timeoutMs);
  try {
    const response = await request(url, {
      method: "POST",
      body,
      headers,
      dispatcher: guardedAgent(),
      signal: abort,
    });
    const status = response.statusCode;
    const retryAfterMs = BACK_OFF_STATUSES.has(status)
      ? parseRetryAfter(headerOf(response.headers, "retry-after"))
      : undefined;
    const { excerpt: answer, readBytes } = await readExcerpt(response.body);
    const redirected = status >= 300 && status < 400;
    const location = redirected ? storable((headerOf(response.headers, "location") ?? "").slice(0, 500)) : "";
    const excerpt = redirected ? `${redirectNote(location || null)}${answer && `\n\n${answer}`}` : answer;
    const contentType = headerOf(response.headers, "content-type");
    return {
      status,
      excerpt,
      bytes: readBytes ?? declaredLength(headerOf(response.headers, "content-length")),
      contentType: contentType === null ? null : storable(contentType.slice(0, 200)),
      latencyMs: elapsed(),
      headers: response.headers,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  } catch (error) {
    return {
      status: null,
      excerpt: describeFailure(timedOut ? new TimeoutError() : error, url, timeoutMs),
      latencyMs: elapsed(),
      ...(timedOut ? { timedOut: true } : {}),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Signs `body` with every secret, both ways (`Nursa-Signature` and the Standard Webhooks headers),
 * and POSTs it: what every attempt (and a test send) does.
 */
export async function sendSigned({
  url,
  body,
  secrets,
  deliveryId,
  ed25519Keys = [],
  now = Date.now(),
}: {
  url: string;
  body: string;
  secrets: string[];
  deliveryId: string;
  /** The platform's signing keys, for a webhook that opted in to `v1a` signatures. */
  ed25519Keys?: KeyObject[];
  now?: number;
}): Promise<{ signature: string; outcome: Outcome; sent: Record<string, string> }> {
  const timestamp = Math.floor(now / 1000);
  const signature = signatureHeader(body, secrets, timestamp);
  const sent = {
    "content-type": "application/json",
    "user-agent": "facility-webhooks",
    [SIGNATURE_HEADER]: signature,
    [DELIVERY_ID_HEADER]: deliveryId,
    ...standardWebhookHeaders(body, secrets, deliveryId, timestamp, ed25519Keys),
  };
  return { signature, outcome: await post(url, body, sent), sent };
}
