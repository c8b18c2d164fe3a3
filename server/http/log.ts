/**
 * The server's log: one JSON object per line (pino), each request line and each error carrying
 * the request id that the client also sees, in `X-Request-Id` and in a 500's body.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { processSingleton } from "../process-singleton";

/** The request being served, so every line logged while serving it names it. */
const requestContext = processSingleton(
  "request-context",
  () => new AsyncLocalStorage<{ requestId: string }>(),
);

export const withRequestId = <T>(requestId: string, run: () => T): T =>
  requestContext.run({ requestId }, run);
export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

export const logger = processSingleton("logger", () =>
  pino({
    level: process.env.LOG_LEVEL ?? "info",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  }),
);

export const REQUEST_ID_HEADER = "x-request-id";

/** A caller's own request id is kept when it is a plain token, so ids can follow a request across systems. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** The caller's request id if it is acceptable, else a new one. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER) ?? "";
  return ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Unexpected errors (the request id comes with the line, see `withRequestId`). */
export function logError(error: unknown, context: Record<string, unknown> = {}): void {
  logger.error({ ...context, err: error }, "unexpected error");
}
