import { randomUUID } from "node:crypto";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Principal } from "../auth/principal";
import { sessionTokenFrom } from "../auth/session-cookie";
import { principalFromSession } from "../auth/sessions";
import { AppError, asAppError, ERROR_TABLE } from "../errors";
import { currentRequestId } from "../http/log";
import { isCrossSiteRequest } from "../http/origin";
import { requestOrigin } from "../http/rest";
import { enforceRequestRate } from "../rate-limits";
import { toContractMessages } from "../webhooks/webhook.schemas";
import type { RequestOrigin } from "../webhooks/webhook-history";

export type Context = {
  principal: Principal | null;
  /** A mutation from another site (CSRF) is refused whoever's cookie it carries. */
  crossSite?: boolean;
  /** Names the request in the server log and in an unexpected error's answer. */
  requestId?: string;
  /** Where the request came from, for the change history. */
  origin?: RequestOrigin;
};

/** The context without HTTP, so tests can call the router with `createCaller`. */
export const createContextInner = (opts: Context): Context => opts;

export async function createContext({ req }: { req: Request }): Promise<Context> {
  return createContextInner({
    principal: await principalFromSession(sessionTokenFrom(req.headers)),
    crossSite: isCrossSiteRequest(req),
    requestId: currentRequestId() ?? randomUUID(),
    origin: requestOrigin(req),
  });
}

export const INTERNAL_ERROR_MESSAGE =
  "Something went wrong on our side. Try again, or quote the request id to support.";

const t = initTRPC.context<Context>().create({
  errorFormatter: ({ shape, error, ctx }) => {
    // Unexpected errors answer a generic message: their text is for the server log, not the browser.
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: internal ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: {
        ...data,
        requestId: internal ? (ctx?.requestId ?? null) : null,
        // Input refusals carry the same message list the REST API answers, so the form can show them.
        messages:
          error.cause instanceof ZodError
            ? toContractMessages(error.cause)
            : error.cause instanceof AppError
              ? error.cause.messages
              : null,
      },
    };
  },
});

/** A refusal as tRPC answers it: the matching code (not a 500), the message list in `data.messages`. */
export const toTRPCError = (refusal: AppError) =>
  new TRPCError({ code: ERROR_TABLE[refusal.code].trpcCode, message: refusal.message, cause: refusal });

/** The service throws AppError; tRPC answers it with the matching code instead of a 500. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const cause = result.ok ? undefined : asAppError(result.error.cause);
  if (cause) throw toTRPCError(cause);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Same-site, signed in, and within the user's request rate (each procedure of a batch counts). */
export const protectedProcedure = t.procedure.use(mapAppErrors).use(async ({ ctx, type, next }) => {
  if (type === "mutation" && ctx.crossSite) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-site requests are not allowed" });
  }
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  await enforceRequestRate(`user:${ctx.principal.userId}`);
  return next({ ctx: { principal: ctx.principal } });
});
