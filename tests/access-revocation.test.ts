/**
 * Taking access away stops shift data at once: a facility taken from a user, a revoked client or a
 * disabled user — for new events (fan-out), deliveries already queued (checked again at send
 * time), the log API, the Deliveries tab and Resend. Against a real HTTPS receiver.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as logsRoute } from "../app/api/v2/public/webhooks/logs/route";
import { disableUser, revokeFacilityAccess } from "../server/accounts/accounts.service";
import { revokeClient } from "../server/accounts/clients.service";
import { getDb } from "../server/db";
import { listWebhookDeliveries, resendDelivery } from "../server/deliveries/deliveries.service";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
});
afterAll(() => receiver.close());

/** A tenant with two facilities and one webhook on both, for shift.created. */
async function tenantWithWebhook() {
  const tenant = await createTenant(2);
  const webhook = await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url("/ok"), events: ["shift.created"], facilities: tenant.facilityIds },
  });
  return { tenant, webhook, f1: tenant.facilityIds[0] ?? "", f2: tenant.facilityIds[1] ?? "" };
}

const publish = (facilityId: string) =>
  publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s" } });
const receivedFor = (deliveryId: string) =>
  receiver.received.filter((r) => r.headers["webhook-delivery-id"] === deliveryId).length;
const deliveryOf = (eventId: string) => getDb().delivery.findFirstOrThrow({ where: { eventId } });

async function logFacilities(tenant: Tenant): Promise<string[]> {
  const response = await logsRoute(
    new Request("http://localhost/api/v2/public/webhooks/logs?limit=100", {
      headers: { authorization: `Bearer ${tenant.client.token}` },
    }),
    { params: Promise.resolve({}) },
  );
  expect(response.status).toBe(200);
  return ((await response.json()).data as { facilityId: string }[]).map((log) => log.facilityId).sort();
}

describe("taking a facility away from a user", () => {
  it("stops that facility's new events reaching the user's clients; other facilities flow on", async () => {
    const { tenant, f1, f2 } = await tenantWithWebhook();
    expect((await publish(f1)).deliveries).toBe(1);
    await revokeFacilityAccess({ email: tenant.user.email, facilityId: f1 });
    expect((await publish(f1)).deliveries).toBe(0);
    expect((await publish(f2)).deliveries).toBe(1);
  });

  it("does not send a delivery queued before the access was taken away", async () => {
    const { tenant, f1 } = await tenantWithWebhook();
    const { eventId } = await publish(f1);
    await revokeFacilityAccess({ email: tenant.user.email, facilityId: f1 });
    await runDueDeliveries();
    const delivery = await getDb().delivery.findFirstOrThrow({
      where: { eventId },
      include: { attemptRows: true },
    });
    expect(receivedFor(delivery.id)).toBe(0);
    expect(delivery.status).toBe("failure");
    expect(delivery.attemptRows[0]?.responseBody).toContain(`lost access to facility ${f1}`);
  });

  it("hides that facility's deliveries from the log API, the Deliveries tab and Resend", async () => {
    const { tenant, webhook, f1, f2 } = await tenantWithWebhook();
    const lost = await deliveryOf((await publish(f1)).eventId);
    await deliveryOf((await publish(f2)).eventId);
    await runDueDeliveries();
    expect(await logFacilities(tenant)).toEqual([f1, f2].sort());

    await revokeFacilityAccess({ email: tenant.user.email, facilityId: f1 });
    expect(await logFacilities(tenant)).toEqual([f2]);
    const tab = await listWebhookDeliveries({
      principal: tenant.userPrincipal,
      input: { webhookId: webhook.id, limit: 50 },
    });
    expect(tab.items.map((d) => d.facilityId)).toEqual([f2]);
    const filtered = await listWebhookDeliveries({
      principal: tenant.userPrincipal,
      input: { webhookId: webhook.id, facilityId: f1, limit: 50 },
    });
    expect(filtered.items).toEqual([]);
    await expect(resendDelivery({ principal: tenant.userPrincipal, deliveryId: lost.id })).rejects.toThrow(
      "Delivery not found",
    );
  });
});

describe("a revoked client and a disabled user", () => {
  it("a revoked client's webhooks receive nothing, queued or new", async () => {
    const { tenant, f1 } = await tenantWithWebhook();
    const queued = await deliveryOf((await publish(f1)).eventId);
    await revokeClient({ manager: tenant.userPrincipal, clientId: tenant.client.clientId });
    expect((await publish(f1)).deliveries).toBe(0);
    await runDueDeliveries();
    expect(receivedFor(queued.id)).toBe(0);
  });

  it("a disabled user's clients' webhooks receive nothing, queued or new", async () => {
    const { tenant, f1 } = await tenantWithWebhook();
    const queued = await deliveryOf((await publish(f1)).eventId);
    await disableUser({ email: tenant.user.email });
    expect((await publish(f1)).deliveries).toBe(0);
    await runDueDeliveries();
    expect(receivedFor(queued.id)).toBe(0);
  });
});
