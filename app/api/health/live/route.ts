import { observed } from "@/server/http/observed";

/** Liveness: the process answers (restart it when this fails). Never the database: a database outage is not cured by a restart. */
export const GET = observed("/api/health/live", async () =>
  Response.json({ status: "live" }, { headers: { "Cache-Control": "no-store" } }),
);
