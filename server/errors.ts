/**
 * One domain error type for the whole server. The service throws it; each adapter maps its code
 * through the table below — to a TRPCError code on the tRPC side, to the contract's exact body on
 * the REST side.
 */
import type { z } from "zod";

export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "PRECONDITION_FAILED"
  | "TOO_MANY_REQUESTS";

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** Validation messages (BAD_REQUEST, PAYLOAD_TOO_LARGE): the contract answers them as a list. */
  readonly messages: string[];
  /** TOO_MANY_REQUESTS: when to try again (REST answers it as Retry-After). */
  retryAfterSeconds?: number;

  constructor(code: AppErrorCode, message?: string | string[]) {
    const messages = Array.isArray(message) ? message : message ? [message] : [];
    super(messages.join("; ") || DEFAULT_MESSAGES[code]);
    this.name = "AppError";
    this.code = code;
    this.messages = messages;
  }
}

const DEFAULT_MESSAGES: Record<AppErrorCode, string> = {
  BAD_REQUEST: "Bad Request",
  UNAUTHORIZED: "Unauthorized",
  FORBIDDEN: "Forbidden Resource",
  NOT_FOUND: "Not Found",
  PAYLOAD_TOO_LARGE: "Payload Too Large",
  PRECONDITION_FAILED: "Precondition Failed",
  TOO_MANY_REQUESTS: "Too Many Requests",
};

/**
 * Text with the NUL character: PostgreSQL cannot store it and fails the whole statement, SQLite
 * would store it. The database layer refuses it on both (server/db.ts), whatever door it came through.
 */
export const NUL_REFUSAL = "text must not contain the NUL character (\\u0000)";

/**
 * The error as the AppError it is or stands for. A refusal thrown beneath Prisma (the driver
 * adapter's) comes back wrapped in Prisma's own error, its message last.
 */
export function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.message.endsWith(NUL_REFUSAL))
    return new AppError("BAD_REQUEST", NUL_REFUSAL);
  return undefined;
}

export const webhookNotFound = () => new AppError("NOT_FOUND", "Webhook not found");

export function tooManyRequests(retryAfterMs: number): AppError {
  const error = new AppError("TOO_MANY_REQUESTS");
  error.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return error;
}

/**
 * Parses input with a schema (query strings, CLI and account inputs — not the contract's bodies,
 * which toContractMessages reports); 400 with each distinct issue message.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new AppError("BAD_REQUEST", [...new Set(parsed.error.issues.map((i) => i.message))]);
  return parsed.data;
}

type RestBody = { message: string | string[]; error?: string; statusCode: number };

export const ERROR_TABLE: Record<
  AppErrorCode,
  { trpcCode: AppErrorCode; httpStatus: number; restBody: (error: AppError) => RestBody }
> = {
  BAD_REQUEST: {
    trpcCode: "BAD_REQUEST",
    httpStatus: 400,
    restBody: (e) => ({ message: e.messages, error: "Bad Request", statusCode: 400 }),
  },
  UNAUTHORIZED: {
    trpcCode: "UNAUTHORIZED",
    httpStatus: 401,
    // The contract's 401 has no `error` key.
    restBody: () => ({ message: "Unauthorized", statusCode: 401 }),
  },
  FORBIDDEN: {
    trpcCode: "FORBIDDEN",
    httpStatus: 403,
    restBody: () => ({ message: "Forbidden Resource", error: "Forbidden", statusCode: 403 }),
  },
  NOT_FOUND: {
    trpcCode: "NOT_FOUND",
    httpStatus: 404,
    restBody: (e) => ({ message: e.message, error: "Not Found", statusCode: 404 }),
  },
  PAYLOAD_TOO_LARGE: {
    trpcCode: "PAYLOAD_TOO_LARGE",
    httpStatus: 413,
    restBody: (e) => ({ message: e.messages, error: "Payload Too Large", statusCode: 413 }),
  },
  PRECONDITION_FAILED: {
    trpcCode: "PRECONDITION_FAILED",
    httpStatus: 412,
    restBody: (e) => ({ message: e.message, error: "Precondition Failed", statusCode: 412 }),
  },
  TOO_MANY_REQUESTS: {
    trpcCode: "TOO_MANY_REQUESTS",
    httpStatus: 429,
    restBody: () => ({ message: "Too Many Requests", error: "Too Many Requests", statusCode: 429 }),
  },
};
