import { createHmac } from "node:crypto";
import { E2E_TLS } from "../playwright.config";
import { publishEvent } from "../server/deliveries/events.service";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

const SECRET = "e2e-debugger-secret-0123456789ab";
const hmac = (key: Buffer | string, content: string, encoding: "hex" | "base64") =>
  createHmac("sha256", key).update(content).digest(encoding);

test("the signature debugger shows what an attempt signed and names each mistake a receiver makes", async ({
  signedInPage: page,
  tenant,
}) => {
  test.slow(); // a dozen checks through the browser on a 2-core machine
  const receiver = await startReceiver(E2E_TLS);
  try {
    const facilityId = tenant.facilityIds[0] ?? "";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: receiver.url("/debugger"),
        events: ["shift.created"],
        facilities: [facilityId],
        secrets: [SECRET],
      },
    });
    await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s-e2e-debug" } });
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const row = page.getByRole("listitem").filter({ hasText: "shift.created" });
    await expect(row).toContainText("success");
    await row.getByRole("button", { name: /^Details of shift.created delivery/ }).click();
    await row.getByRole("button", { name: "Debug signature of attempt 1" }).click();

    const request = receiver.received.find((r) => r.path === "/debugger");
    if (!request) throw new Error("the delivery did not arrive");
    const id = request.headers["webhook-id"] ?? "";
    const t = Number(request.headers["webhook-timestamp"]);
    const body = request.body;
    const debuggerPanel = page.getByRole("region", { name: "Signature debugger, attempt 1" });
    await expect(debuggerPanel).toContainText(`as webhook-id ${id}`);
    await expect(debuggerPanel).toContainText("(signed this attempt)");
    await expect(debuggerPanel).not.toContainText(SECRET);

    const standard = (text = body, at = t) => `${id}.${at}.${text}`;
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const { data, eventType } = JSON.parse(body);
    const reordered = JSON.stringify({ eventType, data });
    const cases: { title: string; signature: string; body?: string; time?: number; nursa?: boolean }[] = [
      { title: "Right signature", signature: request.headers["webhook-signature"] ?? "" },
      { title: "Right signature", signature: request.headers["nursa-signature"] ?? "", nursa: true },
      {
        title: "Whitespace changed in the body",
        signature: hmac(SECRET, standard(pretty), "base64"),
        body: pretty,
      },
      {
        title: "Body re-serialised",
        signature: hmac(SECRET, standard(reordered), "base64"),
        body: reordered,
      },
      { title: "Another secret", signature: hmac("another-secret-0123456789abcdef", standard(), "base64") },
      { title: "Hex against base64", signature: hmac(SECRET, standard(), "hex") },
      {
        title: "The whsec_ form used as the key",
        signature: hmac(`whsec_${Buffer.from(SECRET).toString("base64")}`, standard(), "base64"),
      },
      {
        title: "Secret base64-decoded",
        signature: hmac(Buffer.from(SECRET, "base64"), standard(), "base64"),
      },
      {
        title: "Timestamp outside the tolerance",
        signature: hmac(SECRET, standard(), "base64"),
        time: t + 900,
      },
      {
        title: "Your own clock used as the timestamp",
        signature: hmac(SECRET, standard(body, t + 30), "base64"),
        time: t + 30,
      },
      {
        title: "Nursa-Signature and webhook-signature mixed up",
        signature: hmac(SECRET, `${t}.${body}`, "hex"),
      },
    ];
    const verdict = debuggerPanel.getByRole("status").last();
    for (const { title, signature, body: verified, time, nursa } of cases) {
      await debuggerPanel
        .getByLabel(nursa ? "Nursa-Signature" : "webhook-signature (Standard Webhooks)")
        .check();
      await debuggerPanel.getByLabel("Signature your receiver computed").fill(signature);
      await debuggerPanel.getByLabel("Body your receiver verified").fill(verified ?? "");
      await debuggerPanel.getByLabel("Your receiver's clock").fill(time ? String(time) : "");
      await debuggerPanel.getByRole("button", { name: "Check" }).click();
      await expect(verdict, title).toContainText(`${title}.`);
    }
  } finally {
    await receiver.close();
  }
});
