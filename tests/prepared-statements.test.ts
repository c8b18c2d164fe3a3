/**
 * PostgreSQL keeps each named prepared statement for the life of its connection. Statements are
 * named per SQL text, and a list (`IN ($1, $2, …)`, a multi-row `VALUES`) changes the text with its
 * length: naming those would leave thousands per connection. Whatever the list lengths, each
 * connection holds a bounded number.
 */
// One connection, so pg_prepared_statements (which shows only its own session's) sees them all.
process.env.DATABASE_POOL_SIZE = "1";

import { describe, expect, it } from "vitest";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { createWebhook, listWebhooks, updateWebhook } from "../server/webhooks/webhook.service";
import { createTenant } from "./helpers";

/** The statements the app names are a fixed set of shapes; this leaves them ample room. */
const STATEMENT_BOUND = 300;

describe.runIf(getEnv().provider === "postgresql")("prepared statements on PostgreSQL", () => {
  it("stay bounded per connection while PATCHes carry facility lists of every length 1..1000", async () => {
    const tenant = await createTenant(1000);
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: "https://receiver.example/a",
        events: ["shift.created"],
        facilities: [tenant.facilityIds[0] ?? ""],
      },
    });
    for (let length = 1; length <= 1000; length++) {
      await updateWebhook({
        principal: tenant.clientPrincipal,
        webhookId: webhook.id,
        input: { facilities: tenant.facilityIds.slice(0, length) },
      });
      if (length % 100 === 0) await listWebhooks({ principal: tenant.userPrincipal });
    }
    const [prepared] = await getDb().$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM pg_prepared_statements`;
    // Still prepared once and reused: the fixed-shape statements keep their names.
    expect(Number(prepared?.count)).toBeGreaterThan(10);
    expect(Number(prepared?.count)).toBeLessThan(STATEMENT_BOUND);
  }, 300_000);
});
