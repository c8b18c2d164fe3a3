process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET } from "../app/api/v2/public/webhooks/logs/route";
import { getDb } from "../server/db";
import { listWebhookDeliveries } from "../server/deliveries/deliveries.service";
import { webhookDeliveriesInput } from "../server/deliveries/delivery.schemas";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alice: Tenant;
let bob: Tenant;
/** Alice's deliveries by what they were about. */
const deliveryOf: Record<string, string> = {};
let okWebhookId: string;

async function search(token: string, query: string) {
  const response = await GET(
    new Request(`http://localhost/api/v2/public/webhooks/logs?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
}
const found = async (query: string) =>
  ((await search(alice.client.token, query)).body.data as { id: string }[]).map((log) => log.id).sort();
const deliveries = (...names: string[]) => names.map((name) => deliveryOf[name]).sort();

/** A port on 127.0.0.1 where nothing listens: attempts to it get no HTTP answer at all. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  alice = await createTenant(1);
  bob = await createTenant(1);
  const facilities = alice.facilityIds;
  const webhook = (url: string, events: ("shift.created" | "shift.cancelled" | "shift.scheduled")[]) =>
    createWebhook({ principal: alice.clientPrincipal, input: { url, events, facilities } });
  okWebhookId = (await webhook(receiver.url("/ok"), ["shift.created"])).id;
  await webhook(receiver.url("/fail"), ["shift.cancelled"]);
  await webhook(`https://127.0.0.1:${await closedPort()}/unreachable`, ["shift.scheduled"]);
  await createWebhook({
    principal: bob.clientPrincipal,
    input: { url: receiver.url("/bob"), events: ["all"], facilities: bob.facilityIds },
  });
  const facilityId = alice.facilityIds[0] ?? "";
  const published = {
    created: {
      eventType: "shift.created",
      data: { shiftId: "s-123", slots: 3, urgent: true, createdBy: { email: "ana@example.com" } },
    },
    slow: { eventType: "shift.created", data: { shiftId: "s-124", slots: 1, urgent: false } },
    cancelled: { eventType: "shift.cancelled", data: { shiftId: "s-123", reason: 'no longer "needed"\\ü' } },
    scheduled: { eventType: "shift.scheduled", data: { shiftId: "s-125" } },
  } as const;
  for (const [name, event] of Object.entries(published)) {
    await publishEvent({ ...event, facilityId, data: { ...event.data } });
    const [delivery] = await getDb().delivery.findMany({
      orderBy: { createdAt: "desc" },
      take: 1,
      where: { clientId: alice.client.clientId },
    });
    deliveryOf[name] = delivery?.id ?? "";
  }
  // Bob's delivery holds the same shift id: a search must never reach across tenants.
  await publishEvent({
    eventType: "shift.created",
    facilityId: bob.facilityIds[0] ?? "",
    data: { shiftId: "s-123" },
  });
  await runDueDeliveries({ now: Date.now() });
  // The receiver answers at once; this attempt is made a slow one (what it took is the worker's measurement).
  await getDb().deliveryAttempt.updateMany({
    where: { deliveryId: deliveryOf.slow },
    data: { latencyMs: 2_500 },
  });
});
afterAll(() => receiver.close());

describe("searching the delivery log (GET /api/v2/public/webhooks/logs)", () => {
  it("finds deliveries by the receiver's HTTP status, exact or by class, or by no answer at all", async () => {
    expect(await found("responseStatus=500")).toEqual(deliveries("cancelled"));
    expect(await found("responseStatus=5xx")).toEqual(deliveries("cancelled"));
    expect(await found("responseStatus=2xx")).toEqual(deliveries("created", "slow"));
    expect(await found("responseStatus=404")).toEqual([]);
    expect(await found("responseStatus=none")).toEqual(deliveries("scheduled"));
  });

  it("finds deliveries with an attempt at least so slow", async () => {
    expect(await found("minLatencyMs=2000")).toEqual(deliveries("slow"));
    expect(await found("minLatencyMs=2000&responseStatus=5xx")).toEqual([]); // the same attempt meets both
  });

  it("finds deliveries by a payload field's value, at any depth, as text", async () => {
    expect(await found("payload=data.shiftId=s-123")).toEqual(deliveries("created", "cancelled"));
    expect(await found("payload=data.shiftId=s-123&eventType=shift.cancelled")).toEqual(
      deliveries("cancelled"),
    );
    expect(await found("payload=data.shiftId=s-123&responseStatus=2xx")).toEqual(deliveries("created"));
    expect(await found(`payload=${encodeURIComponent("data.createdBy.email=ana@example.com")}`)).toEqual(
      deliveries("created"),
    );
    expect(await found("payload=data.slots=3")).toEqual(deliveries("created"));
    expect(await found("payload=data.urgent=false")).toEqual(deliveries("slow"));
    expect(await found(`payload=${encodeURIComponent('data.reason=no longer "needed"\\ü')}`)).toEqual(
      deliveries("cancelled"),
    );
    expect(await found("payload=data.shiftId=s-999")).toEqual([]);
    expect(await found("payload=data.missing=s-123")).toEqual([]);
  });

  it("never finds another tenant's deliveries", async () => {
    const bobs = await search(bob.client.token, "payload=data.shiftId=s-123");
    expect(bobs.body.data).toHaveLength(1);
    expect(bobs.body.data.map((log: { id: string }) => log.id)).not.toContain(deliveryOf.created);
  });

  it("refuses a search it cannot run with a message saying what to send", async () => {
    for (const [query, message] of [
      ["responseStatus=6xx", "responseStatus must be an HTTP status (e.g. 503), a class (e.g. 5xx) or none"],
      ["responseStatus=20", "responseStatus must be an HTTP status (e.g. 503), a class (e.g. 5xx) or none"],
      ["minLatencyMs=-1", "minLatencyMs must be an integer number"],
      ["minLatencyMs=99999999", "minLatencyMs must not be greater than 3600000"],
      ["payload=data.shiftId", "payload must be a field path and its value, e.g. data.shiftId=s-123"],
      [`payload=${encodeURIComponent("data.a'];--=1")}`, "payload must be a field path and its value"],
      [`payload=data.x=${"v".repeat(201)}`, "payload's value must be at most 200 characters"],
    ] as const) {
      const { status, body } = await search(alice.client.token, query);
      expect(status, query).toBe(400);
      expect(body.message.join(" "), query).toContain(message);
    }
  });
});

describe("searching a webhook's Deliveries tab", () => {
  it("takes the same filters, combined with the tab's own", async () => {
    const ids = async (filters: Record<string, unknown>) =>
      (
        await listWebhookDeliveries({
          principal: alice.userPrincipal,
          input: webhookDeliveriesInput.parse({ webhookId: okWebhookId, ...filters }),
        })
      ).items
        .map((d) => d.id)
        .sort();
    expect(await ids({ payload: "data.shiftId=s-123" })).toEqual(deliveries("created"));
    expect(await ids({ minLatencyMs: 1000 })).toEqual(deliveries("slow"));
    expect(await ids({ responseStatus: "2xx", status: "success" })).toEqual(deliveries("created", "slow"));
    expect(await ids({ responseStatus: "5xx" })).toEqual([]);
  });
});
