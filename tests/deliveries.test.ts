/**
 * Publishing and delivery against a real HTTPS receiver on this machine. Time is passed in
 * explicitly (`now`), so retries are tested without waiting for them.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
process.env.WEBHOOK_RETRY_SCHEDULE = "1s,2s,3s";
process.env.WEBHOOK_RETRY_JITTER = "0"; // exact due times; tests/delivery-flow.test.ts covers the jitter
// The receiver's port is allowed, so a name for it (localhost) meets the address check, not the port's.
const RECEIVER_PORT = await freePort();
/** A receiver whose certificate nobody trusts. */
const STRANGER_PORT = await freePort();
process.env.WEBHOOK_ALLOWED_PORTS = `443,${RECEIVER_PORT},${STRANGER_PORT}`;

import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Webhook as StandardWebhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { listWebhookDeliveries } from "../server/deliveries/deliveries.service";
import { publishEvent } from "../server/deliveries/events.service";
import { DELIVERY_ID_HEADER, sendSigned } from "../server/deliveries/send";
import { runDueDeliveries } from "../server/deliveries/worker";
import { AppError } from "../server/errors";
import { verifySignature } from "../server/webhooks/signature";
import { createWebhook, deleteWebhook, updateWebhook } from "../server/webhooks/webhook.service";
import type { WebhookEventName } from "../server/webhooks/webhook-rules";
import { createTenant, freePort, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";
import { createSelfSignedCertificate } from "./tls";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;

beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"), RECEIVER_PORT);
  tenant = await createTenant(2);
});
afterAll(() => receiver.close());

const SECRET_A = "a".repeat(32);
const SECRET_B = "b".repeat(32);

const hook = (path: string, events: WebhookEventName[], facilities: string[], secrets = [SECRET_A]) =>
  createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url(path), events, facilities, secrets },
  });

const attemptsOf = (eventId: string) =>
  getDb().delivery.findMany({
    where: { eventId },
    include: { attemptRows: { orderBy: { attempt: "asc" } } },
  });

describe("publishing", () => {
  it("refuses an unknown event type, a missing facility and data that is not an object", async () => {
    for (const input of [
      { eventType: "all", facilityId: tenant.facilityIds[0], data: {} },
      { eventType: "shift.created", facilityId: "P-nowhere", data: {} },
      { eventType: "shift.created", facilityId: tenant.facilityIds[0], data: [1] },
    ]) {
      await expect(publishEvent(input)).rejects.toBeInstanceOf(AppError);
    }
  });
});

describe("delivery", () => {
  it("trusts a receiver's certificate only through the process's CAs, connection by connection", async () => {
    // Every connection shares one TLS context: a receiver whose certificate no CA vouches for is
    // still refused, while the trusted one, before and after it, is reached.
    const stranger = await startReceiver(
      createSelfSignedCertificate(path.join(os.tmpdir(), `untrusted-${randomUUID()}`)),
      STRANGER_PORT,
    );
    const send = (url: string) =>
      sendSigned({ url, body: "{}", secrets: [SECRET_A], deliveryId: randomUUID() });
    try {
      expect((await send(receiver.url("/trusted-before"))).outcome.status).toBe(200);
      const refused = (await send(stranger.url("/untrusted"))).outcome;
      expect(refused).toMatchObject({
        status: null,
        excerpt: "TLS: the receiver's certificate or handshake was refused",
      });
      expect(stranger.received).toEqual([]);
      expect((await send(receiver.url("/trusted-after"))).outcome.status).toBe(200);
    } finally {
      await stranger.close();
    }
  });

  it("sends every matching event once per matching webhook, signed with each secret", async () => {
    const [f1, f2] = tenant.facilityIds as [string, string];
    await hook("/a", ["shift.created"], [f1], [SECRET_A, SECRET_B]);
    await hook("/b", ["all"], [f1]);
    await hook("/c", ["shift.created"], [f2]);
    await hook("/d", ["shift.cancelled"], [f1]);
    const before = receiver.received.length;

    const data = { shiftId: "s-1", facilityId: f1, at: "2026-12-01T08:00:00Z" };
    const { eventId, deliveries } = await publishEvent({ eventType: "shift.created", facilityId: f1, data });
    expect(deliveries).toBe(2);
    expect(await runDueDeliveries()).toBe(2);
    expect(await runDueDeliveries()).toBe(0);

    const got = receiver.received.slice(before);
    expect(got.map((r) => r.path).sort()).toEqual(["/a", "/b"]);
    for (const request of got) {
      expect(JSON.parse(request.body)).toEqual({ data, eventType: "shift.created" });
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers[DELIVERY_ID_HEADER.toLowerCase()]).toMatch(/^[0-9a-f-]{36}$/);
    }
    const toA = got.find((r) => r.path === "/a");
    for (const secret of [SECRET_A, SECRET_B]) {
      expect(
        verifySignature({ header: toA?.headers["nursa-signature"], rawBody: toA?.body ?? "", secret }),
      ).toBe(true);
    }
    expect(
      (await attemptsOf(eventId)).map((d) => [d.status, d.attempts, d.attemptRows[0]?.responseStatus]),
    ).toEqual([
      ["success", 1, 200],
      ["success", 1, 200],
    ]);
  });

  it("signs the Standard Webhooks way too: the standardwebhooks package verifies each attempt with either secret, under one webhook-id", async () => {
    const [, f2] = tenant.facilityIds as [string, string];
    await hook("/fail/standard", ["shift.scheduled"], [f2], [SECRET_A, SECRET_B]);
    const before = receiver.received.length;
    const { eventId } = await publishEvent({
      eventType: "shift.scheduled",
      facilityId: f2,
      data: { shiftId: "s-9" },
    });
    const t0 = Date.now();
    // Every attempt (the receiver always fails), so none is left for the tests after this one.
    for (const due of [0, 1_000, 3_000, 6_000]) expect(await runDueDeliveries({ now: t0 + due })).toBe(1);

    const got = receiver.received.slice(before);
    const [delivery] = await attemptsOf(eventId);
    expect(got).toHaveLength(4);
    for (const { body, headers } of got) {
      const standardHeaders = headers as Record<string, string>;
      expect(standardHeaders["webhook-id"]).toBe(delivery?.id);
      for (const secret of [SECRET_A, SECRET_B]) {
        const payload = { data: { shiftId: "s-9" }, eventType: "shift.scheduled" };
        expect(new StandardWebhook(secret, { format: "raw" }).verify(body, standardHeaders)).toEqual(payload);
        const encoded = `whsec_${Buffer.from(secret).toString("base64")}`;
        expect(new StandardWebhook(encoded).verify(body, standardHeaders)).toEqual(payload);
      }
      const stranger = new StandardWebhook("c".repeat(32), { format: "raw" });
      expect(() => stranger.verify(body, standardHeaders)).toThrow(WebhookVerificationError);
      expect(() =>
        new StandardWebhook(SECRET_A, { format: "raw" }).verify(`${body} `, standardHeaders),
      ).toThrow(WebhookVerificationError);
    }
  });

  it("retries a receiver that answers 500 exactly as scheduled, then marks the delivery failed", async () => {
    const [, f2] = tenant.facilityIds as [string, string];
    await hook("/fail/retries", ["shift.report.created"], [f2]);
    const { eventId } = await publishEvent({ eventType: "shift.report.created", facilityId: f2, data: {} });
    const t0 = Date.now();

    expect(await runDueDeliveries({ now: t0 })).toBe(1);
    expect(await runDueDeliveries({ now: t0 + 999 })).toBe(0); // first retry is due after 1 s
    expect(await runDueDeliveries({ now: t0 + 1_000 })).toBe(1);
    expect(await runDueDeliveries({ now: t0 + 2_999 })).toBe(0); // then after 2 s more
    expect(await runDueDeliveries({ now: t0 + 3_000 })).toBe(1);
    expect(await runDueDeliveries({ now: t0 + 6_000 })).toBe(1);
    expect(await runDueDeliveries({ now: t0 + 3_600_000 })).toBe(0); // no fifth attempt, ever

    const [delivery] = await attemptsOf(eventId);
    expect(delivery?.status).toBe("failure");
    expect(delivery?.attemptRows.map((a) => [a.attempt, a.responseStatus, a.responseBody])).toEqual([
      [1, 500, "receiver is down"],
      [2, 500, "receiver is down"],
      [3, 500, "receiver is down"],
      [4, 500, "receiver is down"],
    ]);
  });

  it("refuses targets that resolve to private addresses, without connecting", async () => {
    const [f1] = tenant.facilityIds as [string];
    // localhost is the same receiver, but it is not in WEBHOOK_ALLOWED_HOSTS.
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.urlByName("/private"), events: ["shift.scheduled"], facilities: [f1] },
    });
    const { eventId } = await publishEvent({ eventType: "shift.scheduled", facilityId: f1, data: {} });
    await runDueDeliveries();
    expect(receiver.received.filter((r) => r.path === "/private")).toEqual([]);
    const delivery = (await attemptsOf(eventId)).find((d) => d.url.endsWith("/private"));
    expect(delivery?.attemptRows[0]?.responseStatus).toBeNull();
    expect(delivery?.attemptRows[0]?.responseBody).toMatch(
      "refused by policy: the host resolves to a private or internal address",
    );
  });

  it("lets two workers share the load without sending any delivery twice", async () => {
    const [, f2] = tenant.facilityIds as [string, string];
    await hook("/shared", ["shift.request.created"], [f2]);
    const before = receiver.received.length;
    for (let i = 0; i < 15; i++) {
      await publishEvent({ eventType: "shift.request.created", facilityId: f2, data: { i } });
    }
    const now = Date.now();
    const [one, two] = await Promise.all([
      runDueDeliveries({ now, batchSize: 10 }),
      runDueDeliveries({ now, batchSize: 10 }),
    ]);
    await runDueDeliveries({ now, batchSize: 10 });
    const got = receiver.received.slice(before).filter((r) => r.path === "/shared");
    const ids = got.map((r) => r.headers[DELIVERY_ID_HEADER.toLowerCase()]);
    expect(one + two).toBeGreaterThan(0);
    expect(got).toHaveLength(15);
    expect(new Set(ids).size).toBe(15);
  });

  it("pages the Deliveries tab newest first by cursor: every delivery once, in order", async () => {
    const [f1] = tenant.facilityIds as [string];
    const webhook = await hook("/paged", ["shift.scheduled.cancelled"], [f1]);
    for (let i = 0; i < 12; i++) {
      await publishEvent({ eventType: "shift.scheduled.cancelled", facilityId: f1, data: { i } });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listWebhookDeliveries({
        principal: tenant.userPrincipal,
        input: { webhookId: webhook.id, limit: 5, cursor },
      });
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = await getDb().delivery.findMany({
      where: { webhookId: webhook.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    expect(seen).toEqual(expected.map((d) => d.id));
    expect(seen).toHaveLength(12);
  });

  it("sends each attempt to the webhook's URL at that moment, and records it on the attempt", async () => {
    const [f1] = tenant.facilityIds as [string];
    const webhook = await hook("/fail/compromised", ["shift.request.cancelled"], [f1]);
    const { eventId } = await publishEvent({
      eventType: "shift.request.cancelled",
      facilityId: f1,
      data: {},
    });
    const now = Date.now();
    await runDueDeliveries({ now });
    // The admin replaces the endpoint before the retry is due.
    await updateWebhook({
      principal: tenant.clientPrincipal,
      webhookId: webhook.id,
      input: { url: receiver.url("/replaced") },
    });
    await runDueDeliveries({ now: now + 1_500 });
    const delivery = (await attemptsOf(eventId)).find((d) => d.webhookId === webhook.id);
    expect(delivery?.status).toBe("success");
    expect(delivery?.attemptRows.map((a) => [a.attempt, a.url])).toEqual([
      [1, receiver.url("/fail/compromised")],
      [2, receiver.url("/replaced")],
    ]);
    const retried = receiver.received.filter((r) => r.headers["webhook-delivery-id"] === delivery?.id);
    expect(retried.map((r) => r.path)).toEqual(["/fail/compromised", "/replaced"]);
    const tab = await listWebhookDeliveries({
      principal: tenant.userPrincipal,
      input: { webhookId: webhook.id, limit: 10 },
    });
    expect(tab.items[0]?.attempts.map((a) => a.url)).toEqual([
      receiver.url("/fail/compromised"),
      receiver.url("/replaced"),
    ]);
  });

  it("ends a deleted webhook's pending deliveries as failures with that reason, sending nothing", async () => {
    const [f1] = tenant.facilityIds as [string];
    const webhook = await hook("/deleted", ["shift.report.rejected"], [f1]);
    const { eventId } = await publishEvent({ eventType: "shift.report.rejected", facilityId: f1, data: {} });
    await deleteWebhook({ principal: tenant.clientPrincipal, webhookId: webhook.id });
    await runDueDeliveries();
    const delivery = (await attemptsOf(eventId)).find((d) => d.webhookId === webhook.id);
    expect(delivery?.status).toBe("failure");
    expect(delivery?.attemptRows.map((a) => a.responseBody)).toEqual(["the webhook was deleted"]);
    expect(receiver.received.filter((r) => r.path === "/deleted")).toEqual([]);
  });
});
