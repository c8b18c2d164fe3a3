/**
 * The egress policy: deliveries connect only to allowed ports (443 and 8443 unless configured),
 * and tenants are told what kind of failure happened — never the raw error, which goes to the
 * server log.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, freePort, type Tenant } from "./helpers";
import { captureLog } from "./log-capture";

let tenant: Tenant;
beforeAll(async () => {
  tenant = await createTenant(1);
});
afterEach(() => vi.restoreAllMocks());

const create = async (url: string) => {
  const response = await collection.POST(
    new Request("http://localhost/api/v2/public/webhooks/facility", {
      method: "POST",
      headers: { authorization: `Bearer ${tenant.client.token}`, "content-type": "application/json" },
      body: JSON.stringify({ url, events: ["shift.created"] }),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
};

/** The text the tenant sees for one attempt at `url` (stored as the webhook's, bypassing save rules). */
async function attemptAt(url: string) {
  const webhook = await createWebhook({
    principal: tenant.clientPrincipal,
    input: {
      url: "https://placeholder.example.com/",
      events: ["shift.created"],
      facilities: tenant.facilityIds,
    },
  });
  await getDb().webhook.update({ where: { id: webhook.id }, data: { url } });
  const { eventId } = await publishEvent({
    eventType: "shift.created",
    facilityId: tenant.facilityIds[0],
    data: {},
  });
  await runDueDeliveries();
  const delivery = await getDb().delivery.findFirstOrThrow({
    where: { eventId, webhookId: webhook.id },
    include: { attemptRows: true },
  });
  await getDb().webhook.delete({ where: { id: webhook.id } });
  return delivery.attemptRows[0]?.responseBody;
}

describe("allowed ports", () => {
  it("saving a URL on another port is refused with a clear message; 443 and 8443 are accepted", async () => {
    expect(await create("https://hooks.example.com:8080/x")).toEqual({
      status: 400,
      body: {
        message: ["url must use one of the allowed ports: 443, 8443"],
        error: "Bad Request",
        statusCode: 400,
      },
    });
    expect((await create("https://hooks.example.com:8443/x")).status).toBe(201);
    expect((await create("https://hooks.example.com/x")).status).toBe(201);
  });

  it("a stored URL on another port is refused at send time, without connecting", async () => {
    expect(await attemptAt("https://hooks.example.com:22/x")).toBe(
      "refused by policy: port 22 is not allowed",
    );
  });
});

describe("what tenants are told about failures", () => {
  it("a closed port: 'connection refused', the raw error only in the server log", async () => {
    const logged = captureLog("warn");
    const port = await freePort();
    expect(await attemptAt(`https://127.0.0.1:${port}/x`)).toBe("connection refused");
    expect(logged.map((line) => line.text).join(" ")).toContain("ECONNREFUSED");
  });

  it("a name that does not resolve: a DNS failure, no resolver text", async () => {
    captureLog("warn");
    expect(await attemptAt("https://no-such-host.invalid/x")).toBe(
      "DNS: the host name could not be resolved",
    );
  });
});
