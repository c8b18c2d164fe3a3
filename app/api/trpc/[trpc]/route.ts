import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { logError } from "@/server/http/log";
import { createContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    onError: ({ error, ctx, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        logError(ctx?.requestId ?? "unknown", error.cause ?? error, { path });
    },
  });

export { handler as GET, handler as POST };
