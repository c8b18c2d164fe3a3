process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "1s,2s,3s";
process.env.WEBHOOK_RETRY_JITTER = "0"; // exact due times; tests/delivery-flow.test.ts covers the jitter

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET } from "../app/api/v2/public/webhooks/logs/route";
import { getDb } from "../server/db";
import { purgeExpiredLogs } from "../server/deliveries/delivery-log.service";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { createWebhook } from "../server/webhooks/webhook.service";
import { WEBHOOK_EVENTS } from "../server/webhooks/webhook-rules";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alice: Tenant;
let bob: Tenant;

async function logs(token: string | null, query = "") {
  const headers = token ? { authorization: `Bearer ${token}` } : undefined;
  const response = await GET(
    new Request(`http://localhost/api/v2/public/webhooks/logs${query}`, { headers }),
    {
      params: Promise.resolve({}),
    },
  );
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  alice = await createTenant(2);
  bob = await createTenant(1);
  const [f1, f2] = alice.facilityIds as [string, string];
  await createWebhook({
    principal: alice.clientPrincipal,
    input: { url: receiver.url("/ok"), events: ["shift.created"], facilities: [f1] },
  });
  await createWebhook({
    principal: alice.clientPrincipal,
    input: { url: receiver.url("/fail"), events: ["shift.cancelled"], facilities: [f2] },
  });
  await createWebhook({
    principal: bob.clientPrincipal,
    input: { url: receiver.url("/bob"), events: ["all"], facilities: bob.facilityIds },
  });
  await publishEvent({ eventType: "shift.created", facilityId: f1, data: { shiftId: "s-1" } });
  await publishEvent({ eventType: "shift.cancelled", facilityId: f2, data: { shiftId: "s-2" } });
  await publishEvent({
    eventType: "shift.created",
    facilityId: bob.facilityIds[0],
    data: { shiftId: "s-3" },
  });
  const t0 = Date.now();
  for (const at of [0, 1_000, 3_000, 6_000]) await runDueDeliveries({ now: t0 + at });
});
afterAll(() => receiver.close());

describe("GET /api/v2/public/webhooks/logs", () => {
  it("lists only the caller's deliveries, newest first, failed ones with their retries", async () => {
    const { status, body } = await logs(alice.client.token);
    expect(status).toBe(200);
    expect(body.data).toHaveLength(2);
    const [failed, succeeded] = body.data;
    expect(succeeded).toEqual({
      id: expect.any(String),
      facilityId: alice.facilityIds[0],
      eventType: "shift.created",
      requestPayload: { data: { shiftId: "s-1" }, eventType: "shift.created" },
      responseStatus: 200,
      responseBody: "ok",
      url: receiver.url("/ok"),
      retries: [],
      retryCount: 0,
      status: "success",
    });
    expect(failed.status).toBe("failure");
    expect(failed.responseStatus).toBe(500);
    expect(
      failed.retries.map((r: { retryAttempt: number; responseStatus: number }) => [
        r.retryAttempt,
        r.responseStatus,
      ]),
    ).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect((await logs(bob.client.token)).body.data.map((l: { url: string }) => l.url)).toEqual([
      receiver.url("/bob"),
    ]);
  });

  it("filters by event type and facility, and pages with limit, offset and sort", async () => {
    const only = async (query: string) =>
      (await logs(alice.client.token, query)).body.data.map((l: { eventType: string }) => l.eventType);
    expect(await only("?eventType=shift.cancelled")).toEqual(["shift.cancelled"]);
    expect(await only(`?facilitiesIds=${alice.facilityIds[0]}`)).toEqual(["shift.created"]);
    expect(
      await only(`?facilitiesIds=${alice.facilityIds[0]}&facilitiesIds=${alice.facilityIds[1]}`),
    ).toHaveLength(2);
    expect(await only("?sortDirection=ASC&limit=1")).toEqual(["shift.created"]);
    expect(await only("?sortDirection=ASC&limit=1&offset=1")).toEqual(["shift.cancelled"]);
    expect(await only("?limit=0")).toEqual([]);
    expect(await only(`?endDate=${encodeURIComponent("2000-01-01T00:00:00Z")}`)).toEqual([]);
    expect(await only(`?startDate=2000-01-01&endDate=2999-01-01`)).toHaveLength(2);
  });

  it.each([
    ["?limit=101", ["limit must not be greater than 100"]],
    ["?limit=-1", ["limit must not be less than 0"]],
    ["?limit=ten", ["limit must be an integer number"]],
    ["?offset=-5", ["offset must not be less than 0"]],
    ["?sortDirection=UP", ["sortDirection must be one of the following values: ASC, DESC"]],
    [
      "?eventType=shift.exploded",
      [`eventType must be one of the following values: ${WEBHOOK_EVENTS.join(", ")}`],
    ],
    ["?startDate=yesterday", ["startDate must be a valid ISO 8601 date string"]],
    ["?startDate=2026-02-01&endDate=2026-01-01", ["startDate must be a date before endDate"]],
  ])("refuses %s with the contract's envelope", async (query, message) => {
    expect(await logs(alice.client.token, query)).toEqual({
      status: 400,
      body: { message, error: "Bad Request", statusCode: 400 },
    });
  });

  it("needs a bearer token", async () => {
    expect(await logs(null)).toEqual({ status: 401, body: { message: "Unauthorized", statusCode: 401 } });
  });

  it("purges logs older than the retention", async () => {
    const before = await getDb().delivery.count();
    expect(await purgeExpiredLogs(Date.now())).toBe(0);
    expect(await purgeExpiredLogs(Date.now() + 15 * 86_400_000)).toBeGreaterThan(0);
    expect(await getDb().delivery.count()).toBeLessThan(before);
    expect((await logs(alice.client.token)).body.data).toEqual([]);
  });
});
