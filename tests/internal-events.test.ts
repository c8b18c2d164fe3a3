process.env.OPERATOR_KEY = "operator-key-for-tests-0123456789abcdef";

import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "../app/api/internal/events/route";
import { getDb } from "../server/db";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";

let tenant: Tenant;
beforeAll(async () => {
  tenant = await createTenant(1);
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: {
      url: "https://receiver.example/internal",
      events: ["shift.created"],
      facilities: tenant.facilityIds,
    },
  });
});

const publish = async (body: unknown, authorization?: string) => {
  const headers = new Headers({ "content-type": "application/json" });
  if (authorization) headers.set("authorization", authorization);
  const response = await POST(
    new Request("http://localhost/api/internal/events", {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: await response.json() };
};

describe("POST /api/internal/events (operators)", () => {
  const event = () => ({
    eventType: "shift.created",
    facilityId: tenant.facilityIds[0],
    data: { shiftId: "s-9" },
  });

  it("refuses a missing key, a wrong key and an API client's token, storing nothing", async () => {
    const before = await getDb().event.count();
    for (const authorization of [undefined, "Bearer wrong-key", `Bearer ${tenant.client.token}`]) {
      expect(await publish(event(), authorization)).toEqual({
        status: 401,
        body: { message: "Unauthorized", statusCode: 401 },
      });
    }
    expect(await getDb().event.count()).toBe(before);
  });

  it("stores the event with one pending delivery per matching webhook", async () => {
    const result = await publish(event(), `Bearer ${process.env.OPERATOR_KEY}`);
    expect(result).toEqual({ status: 201, body: { data: { eventId: expect.any(String), deliveries: 1 } } });
    const deliveries = await getDb().delivery.findMany({ where: { eventId: result.body.data.eventId } });
    expect(deliveries.map((d) => [d.status, d.url])).toEqual([
      ["pending", "https://receiver.example/internal"],
    ]);
  });

  it("refuses a bad event with 400 in the API's envelope", async () => {
    const result = await publish(
      { eventType: "shift.exploded", facilityId: 5, data: [] },
      `Bearer ${process.env.OPERATOR_KEY}`,
    );
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      message: [
        expect.stringMatching(/^eventType must be one of the following values: shift.request.created/),
        "facilityId must be a string",
        "data must be an object",
      ],
      error: "Bad Request",
      statusCode: 400,
    });
  });

  it("publishes a batch in one request: each event with its deliveries, in order", async () => {
    const batch = [event(), { ...event(), eventType: "shift.cancelled" }, event()];
    const result = await publish(batch, `Bearer ${process.env.OPERATOR_KEY}`);
    expect(result.status).toBe(201);
    expect(result.body.data.map((p: { deliveries: number }) => p.deliveries)).toEqual([1, 0, 1]);
    const stored = await getDb().event.findMany({
      where: { id: { in: result.body.data.map((p: { eventId: string }) => p.eventId) } },
      include: { deliveries: true },
    });
    expect(stored.map((e) => [e.eventType, e.deliveries.length]).sort()).toEqual([
      ["shift.cancelled", 0],
      ["shift.created", 1],
      ["shift.created", 1],
    ]);
  });

  it("refuses a whole batch for one bad event, an unknown facility or more than 500 events, storing nothing", async () => {
    const before = await getDb().event.count();
    const key = `Bearer ${process.env.OPERATOR_KEY}`;
    expect((await publish([event(), { ...event(), facilityId: "" }], key)).body.message).toEqual([
      "events[1]: facilityId should not be empty",
    ]);
    expect((await publish([event(), { ...event(), facilityId: "P-nowhere" }], key)).body.message).toEqual([
      "no such facility: P-nowhere",
    ]);
    expect((await publish(Array.from({ length: 501 }, event), key)).body.message).toEqual([
      "a batch may hold at most 500 events",
    ]);
    expect((await publish([], key)).body.message).toEqual(["a batch must hold at least 1 event"]);
    // One mistake made by 200 events is said once, naming the first few (not 200 times, ~30 kB).
    const repeated = await publish(
      Array.from({ length: 200 }, (_, n) => ({
        ...event(),
        eventType: n === 7 ? "shift.created" : "shift.moved",
      })),
      key,
    );
    expect(repeated.body.message).toEqual([
      expect.stringMatching(/^events\[0\], events\[1\], events\[2\] and 196 more: eventType must be one of/),
    ]);
    expect(await getDb().event.count()).toBe(before);
  });
});
