process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "1s";
process.env.WEBHOOK_RETRY_JITTER = "0";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { purgeExpiredLogs } from "../server/deliveries/delivery-log.service";
import { publishEvent } from "../server/deliveries/events.service";
import { type HealthHour, hourOf, LATENCY_BUCKETS, latencyUnder } from "../server/deliveries/hourly-stats";
import { runDueDeliveries } from "../server/deliveries/worker";
import {
  createWebhook,
  deleteWebhook,
  getWebhookHealthHours,
  listWebhooksPage,
} from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;
let ok: string;
let failing: string;

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tenant = await createTenant(1);
  const facilities = tenant.facilityIds;
  ok = (
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/ok"), events: ["shift.created"], facilities },
    })
  ).id;
  failing = (
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/fail"), events: ["shift.created"], facilities },
    })
  ).id;
  for (let i = 0; i < 3; i++) {
    await publishEvent({
      eventType: "shift.created",
      facilityId: facilities[0] ?? "",
      data: { shiftId: `s-${i}` },
    });
  }
  const now = Date.now();
  await runDueDeliveries({ now }); // 3 successes to `ok`, 3 failures to `failing`
  await runDueDeliveries({ now: now + 1_000 }); // each failure's one retry, failing again
});
afterAll(() => receiver.close());

describe("delivery health per hour", () => {
  it("counts each webhook's attempts in their hour as outcomes are written, with their latencies", async () => {
    const [okHours = [], failingHours = []] = await Promise.all(
      [ok, failing].map((webhookId) =>
        getWebhookHealthHours({ principal: tenant.userPrincipal, webhookId, hours: 24 }),
      ),
    );
    expect(okHours).toHaveLength(24);
    expect(okHours?.at(-1)?.hour).toBe(hourOf(Date.now()).toISOString());
    const total = (hours: HealthHour[]) =>
      hours.reduce(
        (sum, hour) => ({ succeeded: sum.succeeded + hour.succeeded, failed: sum.failed + hour.failed }),
        {
          succeeded: 0,
          failed: 0,
        },
      );
    expect(total(okHours)).toEqual({ succeeded: 3, failed: 0 });
    expect(total(failingHours)).toEqual({ succeeded: 0, failed: 6 });
    // Every attempt is in one latency bucket; a local receiver answers well under a second.
    const counted = okHours.reduce((sum, hour) => sum + hour.latencyCounts.reduce((a, b) => a + b, 0), 0);
    expect(counted).toBe(3);
    expect(latencyUnder(okHours, 0.95)).toBeLessThanOrEqual(1_000);
    expect(latencyUnder(okHours.slice(0, 1), 0.5)).toBeNull(); // an hour without attempts
  });

  it("reads percentiles as the bound of the bucket they fall in", () => {
    const hour = (counts: number[]) => ({ hour: "", succeeded: 0, failed: 0, latencyCounts: counts });
    // 90 fast (<100 ms), 9 at 250–500 ms, 1 slower than 10 s.
    const hours = [hour([90, 0, 9, 0, 0, 0, 0, 1])];
    expect(latencyUnder(hours, 0.5)).toBe(100);
    expect(latencyUnder(hours, 0.95)).toBe(500);
    expect(latencyUnder(hours, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(LATENCY_BUCKETS).toHaveLength(8);
  });

  it("gives the list each webhook's last 24 hours for its sparkline", async () => {
    const { items } = await listWebhooksPage({ principal: tenant.userPrincipal, input: { limit: 25 } });
    const byId = new Map(items.map((item) => [item.id, item.last24h]));
    expect(byId.get(ok)?.at(-1)).toEqual({ succeeded: 3, failed: 0 });
    expect(byId.get(failing)?.at(-1)).toEqual({ succeeded: 0, failed: 6 });
  });

  it("forgets a deleted webhook's hours at the next purge", async () => {
    await deleteWebhook({ principal: tenant.clientPrincipal, webhookId: failing });
    await purgeExpiredLogs();
    expect(await getDb().webhookHourlyStats.count({ where: { webhookId: failing } })).toBe(0);
    expect(await getDb().webhookHourlyStats.count({ where: { webhookId: ok } })).toBe(1);
  });
});
