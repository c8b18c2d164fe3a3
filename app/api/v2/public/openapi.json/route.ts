import { openApiDocument } from "@/server/http/openapi";

/** The public API's contract, for client generators and the reference at /docs/api; no token needed. */
export const GET = () =>
  Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
