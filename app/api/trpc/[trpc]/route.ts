import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { asAppError } from "@/server/errors";
import { logError } from "@/server/http/log";
import { observed } from "@/server/http/observed";
import { MAX_BODY_BYTES, readBody } from "@/server/http/rest";
import { TRPC_MAX_BATCH } from "@/server/trpc/batch";
import { createContext, toTRPCError } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

/**
 * The body within the API's 100 kB (tRPC's fetch adapter has no cap of its own), or the refusal to
 * answer every procedure of the request with. A body that declares its length within the cap is
 * passed on as it is (the HTTP server never reads past Content-Length); any other is read here.
 */
async function boundedRequest(req: Request): Promise<{ req: Request; refusal?: unknown }> {
  const declared = req.headers.get("content-length");
  if (
    req.method !== "POST" ||
    (declared !== null && /^\d{1,6}$/.test(declared) && Number(declared) <= MAX_BODY_BYTES)
  ) {
    return { req };
  }
  try {
    const body = await readBody(req);
    return { req: new Request(req.url, { method: "POST", headers: req.headers, body }) };
  } catch (error) {
    const refusal = asAppError(error);
    if (!refusal) throw error;
    return {
      req: new Request(req.url, { method: "POST", headers: req.headers }),
      refusal: toTRPCError(refusal),
    };
  }
}

// One route for every procedure in logs and metrics: the path names procedures, batched ones
// joined, which a caller could vary without end.
const handler = observed("/api/trpc", async (request: Request) => {
  const { req, refusal } = await boundedRequest(request);
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: (options) => (refusal ? Promise.reject(refusal) : createContext(options)),
    maxBatchSize: TRPC_MAX_BATCH,
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logError(error.cause ?? error, { path });
    },
  });
});

export { handler as GET, handler as POST };
