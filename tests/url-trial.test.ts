/**
 * "Send a test to this URL": a signed example to a URL and secrets as typed, answered inline — the
 * same egress policy as deliveries, limited per admin, and nothing saved.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { createContextInner } from "../server/trpc/init";
import { createCaller } from "../server/trpc/root";
import { verifySignature } from "../server/webhooks/signature";
import { createTenant } from "./helpers";
import { startReceiver } from "./https-receiver";

const SECRET = "trial-secret-0123456789abcdefghij";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
});
afterAll(() => receiver.close());

/** What the database holds that a trial must not add to. */
const stored = async () => {
  const db = getDb();
  return [
    await db.webhook.count(),
    await db.delivery.count(),
    await db.event.count(),
    await db.webhookChange.count(),
  ];
};

async function adminCaller() {
  const tenant = await createTenant(1);
  return createCaller(createContextInner({ principal: tenant.userPrincipal }));
}

describe("a URL trial", () => {
  it("sends a signed example to the URL as typed and shows the answer, saving nothing", async () => {
    const caller = await adminCaller();
    const before = await stored();
    const trial = await caller.deliveries.tryUrl({
      url: receiver.url("/trial/ok"),
      secrets: [SECRET],
      eventType: "shift.cancelled",
    });
    expect(trial.status).toBe(200);
    expect(trial.latencyMs).toBeGreaterThanOrEqual(0);
    expect(trial.headers.map(([name]) => name)).toContain("content-type");
    expect(trial.excerpt).toBe("ok");
    const request = receiver.received.findLast((r) => r.path === "/trial/ok");
    expect(request?.body).toBe(trial.sent.body);
    expect(JSON.parse(trial.sent.body)).toMatchObject({ eventType: "shift.cancelled" });
    expect(
      verifySignature({
        header: request?.headers["nursa-signature"],
        rawBody: request?.body ?? "",
        secret: SECRET,
      }),
    ).toBe(true);
    expect(trial.sent.headers["Nursa-Signature"]).toBe(request?.headers["nursa-signature"]);
    expect(await stored()).toEqual(before);
  });

  it("shows a receiver's refusal as it came, with its status and body", async () => {
    const caller = await adminCaller();
    const trial = await caller.deliveries.tryUrl({ url: receiver.url("/fail/trial"), secrets: [SECRET] });
    expect(trial.status).toBe(500);
    expect(trial.excerpt.length).toBeGreaterThan(0);
  });

  it("goes through the egress policy: a private address is refused without a request", async () => {
    const caller = await adminCaller();
    const count = receiver.received.length;
    const trial = await caller.deliveries.tryUrl({ url: "https://10.1.2.3/hook", secrets: [SECRET] });
    expect(trial.status).toBeNull();
    expect(trial.excerpt).toMatch(/^refused by policy: a private or internal address/);
    expect(receiver.received.length).toBe(count);
  });

  it("refuses what a save would refuse, with the same messages, and sends nothing", async () => {
    const caller = await adminCaller();
    const count = receiver.received.length;
    await expect(
      caller.deliveries.tryUrl({ url: "http://127.0.0.1/hook", secrets: [SECRET] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("should be a secure URL with HTTPS"),
    });
    await expect(
      caller.deliveries.tryUrl({ url: receiver.url("/trial/x"), secrets: ["short"] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(receiver.received.length).toBe(count);
  });

  it("is limited per admin: the sixth within ten seconds is refused with when to try again; another admin is not", async () => {
    const caller = await adminCaller();
    const url = receiver.url("/trial/limit");
    for (let i = 0; i < 5; i++)
      expect((await caller.deliveries.tryUrl({ url, secrets: [SECRET] })).status).toBe(200);
    await expect(caller.deliveries.tryUrl({ url, secrets: [SECRET] })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    expect((await (await adminCaller()).deliveries.tryUrl({ url, secrets: [SECRET] })).status).toBe(200);
  });
});
