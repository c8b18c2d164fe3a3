import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { Principal } from "../auth/principal";
import { principalFromSession, SESSION_COOKIE } from "../auth/sessions";
import { AppError, ERROR_TABLE } from "../errors";
import { toContractMessages } from "../webhooks/webhook.schemas";

export type Context = { principal: Principal | null };

/** The context without HTTP, so tests can call the router with `createCaller`. */
export const createContextInner = (opts: Context): Context => opts;

export async function createContext({ req }: { req: Request }): Promise<Context> {
  return createContextInner({ principal: await principalFromSession(readCookie(req, SESSION_COOKIE)) });
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

const t = initTRPC.context<Context>().create({
  // Input refusals carry the same message list the REST API answers, so the form can show them.
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: {
      ...shape.data,
      messages:
        error.cause instanceof ZodError
          ? toContractMessages(error.cause)
          : error.cause instanceof AppError
            ? error.cause.messages
            : null,
    },
  }),
});

/** The service throws AppError; tRPC answers it with the matching code instead of a 500. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpcCode, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const protectedProcedure = t.procedure.use(mapAppErrors).use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { principal: ctx.principal } });
});
