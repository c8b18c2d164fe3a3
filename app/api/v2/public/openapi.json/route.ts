import { observed } from "@/server/http/observed";
import { openApiDocument } from "@/server/http/openapi";

/** The public API's contract, for client generators and the reference at /docs/api; no token needed. */
export const GET = observed("/api/v2/public/openapi.json", () =>
  Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }),
);
