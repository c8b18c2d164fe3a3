/**
 * The signature debugger on a real attempt (sent to a local HTTPS receiver): what it says was
 * signed, and the mistake it names for each wrong way a receiver computes the signature.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { debugSignature, type SignatureDebugInput } from "../server/deliveries/signature-debugger";
import { runDueDeliveries } from "../server/deliveries/worker";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { type Received, startReceiver } from "./https-receiver";

const SECRET = "debugger-secret-0123456789abcdef";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let tenant: Tenant;
let deliveryId: string;
let request: Received;
beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
  tenant = await createTenant(1);
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url("/debugger"), events: ["shift.created"], secrets: [SECRET] },
  });
  const { eventId } = await publishEvent({
    eventType: "shift.created",
    facilityId: tenant.facilityIds[0],
    data: { shiftId: "s-debug", note: "two words" },
  });
  await runDueDeliveries({ now: Date.now() });
  deliveryId = (await getDb().delivery.findFirstOrThrow({ where: { eventId } })).id;
  const arrived = receiver.received.find((r) => r.path === "/debugger");
  if (!arrived) throw new Error("the delivery did not arrive");
  request = arrived;
});
afterAll(() => receiver.close());

const hmac = (key: Buffer | string, content: string, encoding: "hex" | "base64") =>
  createHmac("sha256", key).update(content).digest(encoding);
const t = () => Number(request.headers["webhook-timestamp"]);
const standardContent = (body = request.body, at = t()) => `${deliveryId}.${at}.${body}`;
const nursaContent = (body = request.body) => `${t()}.${body}`;

const debug = (
  input: Omit<SignatureDebugInput, "deliveryId" | "attempt" | "header"> & { header?: "standard" | "nursa" },
) =>
  debugSignature({
    principal: tenant.userPrincipal,
    input: { deliveryId, attempt: 1, header: "standard", ...input },
  });

describe("the signature debugger", () => {
  it("shows what was signed and by which secret, as sent, and never the secret", async () => {
    expect((await debug({})).verdict).toBeNull(); // nothing pasted: the facts alone
    const result = await debug({ signature: request.headers["webhook-signature"] ?? "" });
    expect(result.signedContent).toEqual({ standard: standardContent(), nursa: nursaContent() });
    expect(result.body.bytes).toBe(Buffer.byteLength(request.body));
    expect(result.sent).toEqual({
      nursa: request.headers["nursa-signature"],
      standard: request.headers["webhook-signature"],
    });
    expect(result.secrets).toEqual([
      { fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), signedThis: true },
    ]);
    expect(result.verdict).toMatchObject({ ok: true, mistake: null });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("accepts the right Nursa-Signature value, pasted alone or as the whole header", async () => {
    const value = hmac(SECRET, nursaContent(), "hex");
    expect((await debug({ header: "nursa", signature: value })).verdict?.ok).toBe(true);
    expect(
      (await debug({ header: "nursa", signature: request.headers["nursa-signature"] ?? "" })).verdict?.ok,
    ).toBe(true);
  });

  const pretty = () => JSON.stringify(JSON.parse(request.body), null, 2);
  const reordered = () => {
    const { data, eventType } = JSON.parse(request.body);
    return JSON.stringify({ eventType, data });
  };
  const changed = () => request.body.replace("s-debug", "s-other");

  it.each([
    [
      "timestamp-tolerance",
      () => ({ signature: hmac(SECRET, standardContent(), "base64"), receiverTime: t() + 600 }),
      /your receiver's clock is 600 s from webhook-timestamp/,
    ],
    [
      "body-whitespace",
      () => ({ signature: hmac(SECRET, standardContent(pretty()), "base64"), body: pretty() }),
      /only in whitespace/,
    ],
    [
      "body-reserialised",
      () => ({ signature: hmac(SECRET, standardContent(reordered()), "base64"), body: reordered() }),
      /parsed and written again/,
    ],
    [
      "body-different",
      () => ({ signature: hmac(SECRET, standardContent(changed()), "base64"), body: changed() }),
      /not the body sent/,
    ],
    [
      "secret-decoded",
      () => ({ signature: hmac(Buffer.from(SECRET, "base64"), standardContent(), "base64") }),
      /base64-decoded/,
    ],
    [
      "whsec-prefix",
      () => ({
        signature: hmac(`whsec_${Buffer.from(SECRET).toString("base64")}`, standardContent(), "base64"),
      }),
      /the whsec_ form itself/,
    ],
    [
      "own-clock",
      () => ({
        signature: hmac(SECRET, standardContent(request.body, t() + 42), "base64"),
        receiverTime: t() + 42,
      }),
      /your receiver's own time/,
    ],
    [
      "headers-mixed",
      () => ({ signature: `v1=${hmac(SECRET, nursaContent(), "hex")}` }),
      /the other header's signature/,
    ],
    [
      "hex-vs-base64",
      () => ({ signature: hmac(SECRET, standardContent(), "hex") }),
      /carries base64, not hex/,
    ],
    [
      "another-secret",
      () => ({ signature: hmac("some-other-secret-0123456789", standardContent(), "base64") }),
      /another secret/,
    ],
    ["not-a-signature", () => ({ signature: "Bearer abc" }), /not an HMAC-SHA256 signature/],
  ] as const)("names %s", async (mistake, input, explanation) => {
    const { verdict } = await debug(input());
    expect(verdict).toMatchObject({ ok: false, mistake });
    expect(verdict?.explanation).toMatch(explanation);
  });

  it("checks a pasted body alone: the same body says so, a changed one is named", async () => {
    expect((await debug({ body: request.body })).verdict).toMatchObject({ ok: true, title: "Same body" });
    expect((await debug({ body: `${request.body}\n` })).verdict).toMatchObject({
      ok: false,
      mistake: "body-whitespace",
    });
  });

  it("names the other header's scheme for Nursa-Signature too, and hex against base64 there", async () => {
    const standardValue = hmac(SECRET, standardContent(), "base64");
    expect((await debug({ header: "nursa", signature: standardValue })).verdict?.mistake).toBe(
      "headers-mixed",
    );
    const base64Nursa = hmac(SECRET, nursaContent(), "base64");
    expect((await debug({ header: "nursa", signature: base64Nursa })).verdict?.mistake).toBe("hex-vs-base64");
  });

  it("is for those who may see the delivery only", async () => {
    const stranger = await createTenant(1);
    await expect(
      debugSignature({
        principal: stranger.userPrincipal,
        input: { deliveryId, attempt: 1, header: "standard", signature: "x" },
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(debug({ attempt: 2, signature: "x" } as never)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
