import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { logError } from "@/server/http/log";
import { observed } from "@/server/http/observed";
import { TRPC_MAX_BATCH } from "@/server/trpc/batch";
import { createContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

// One route for every procedure in logs and metrics: the path names procedures, batched ones
// joined, which a caller could vary without end.
const handler = observed("/api/trpc", (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    maxBatchSize: TRPC_MAX_BATCH,
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logError(error.cause ?? error, { path });
    },
  }),
);

export { handler as GET, handler as POST };
