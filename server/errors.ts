/**
 * One domain error type for the whole server. The service throws it; each adapter maps its code
 * through the table below — to a TRPCError code on the tRPC side, to the contract's exact body on
 * the REST side.
 */
export type AppErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "PAYLOAD_TOO_LARGE";

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** Validation messages (BAD_REQUEST, PAYLOAD_TOO_LARGE): the contract answers them as a list. */
  readonly messages: string[];

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
};

export const webhookNotFound = () => new AppError("NOT_FOUND", "Webhook not found");

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
};
