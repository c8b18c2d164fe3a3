import { Webhook as StandardWebhook } from "standardwebhooks";
import { E2E_TLS } from "../playwright.config";
import { publishEvent } from "../server/deliveries/events.service";
import { EVENT_CATALOGUE } from "../server/webhooks/event-catalogue";
import { verifySignature } from "../server/webhooks/signature";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

test("the event picker shows each event's example, and Send test event posts the chosen one's example, signed both ways", async ({
  tenant,
  signedInPage: page,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/test-event"), events: ["all"] },
    });
    await page.goto(`/webhooks/${webhook.id}`);
    const example = page.getByText('"licenseType": "RN"');
    await expect(example).toBeHidden();
    await page.locator("summary", { hasText: "Example payload of shift.created" }).click();
    await expect(example).toBeVisible();

    await page.getByRole("tab", { name: "Deliveries" }).click();
    await page.getByLabel("Test event").selectOption("shift.report.rejected");
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(
      page.getByRole("status").filter({ hasText: /Test event: HTTP 200 in \d+ ms — ok/ }),
    ).toBeVisible();

    const [request] = receiver.received;
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      eventType: "shift.report.rejected",
      data: { ...EVENT_CATALOGUE["shift.report.rejected"].example, facilityId: webhook.facilities[0] },
    });
    const secret = webhook.secrets[0] ?? "";
    const rawBody = request?.body ?? "";
    expect(verifySignature({ header: request?.headers["nursa-signature"], rawBody, secret })).toBe(true);
    const headers = request?.headers as Record<string, string>;
    expect(new StandardWebhook(secret, { format: "raw" }).verify(rawBody, headers)).toBeTruthy();
  } finally {
    await receiver.close();
  }
});

test("the Deliveries tab follows a failing delivery live to its final failure, and Resend delivers it once the receiver is back", async ({
  tenant,
  signedInPage: page,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const facilityId = tenant.facilityIds[0] ?? "";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/flaky"), events: ["shift.cancelled"], facilities: [facilityId] },
    });
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    await expect(page.getByText("No deliveries yet.")).toBeVisible();

    receiver.setDown(true);
    await publishEvent({
      eventType: "shift.cancelled",
      facilityId,
      data: { shiftId: "s-77", reason: "weather" },
    });
    await page.reload();
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const row = page.getByRole("listitem").filter({ hasText: "shift.cancelled" });
    // The server's worker makes the first attempt; the tab polls while the delivery is pending.
    await expect(row).toContainText("last response: 503");
    await expect(row).toContainText("pending");

    // The e2e server allows one retry (WEBHOOK_RETRY_SCHEDULE=1h): a second failure is final.
    await row.getByRole("button", { name: "Resend" }).click();
    await expect(row).toContainText("failure");
    await expect(row).toContainText("2 attempts");

    // Resend works after the final failure too.
    receiver.setDown(false);
    await row.getByRole("button", { name: "Resend" }).click();
    await expect(row).toContainText("success");
    await expect(row).toContainText("3 attempts");

    await row.getByRole("button", { name: /^Details of shift.cancelled delivery/ }).click();
    await expect(row).toContainText('"reason":"weather"');
    await expect(row).toContainText("Attempt 1 · 503");
    await expect(row).toContainText("Attempt 2 · 503");
    await expect(row).toContainText("Attempt 3 · 200");
    await expect(row).toContainText("Nursa-Signature: t=");
  } finally {
    await receiver.close();
  }
});

test("the Deliveries tab shows the newest 50 first, and Load more brings the rest", async ({
  signedInPage: page,
  tenant,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/paged"), events: ["shift.scheduled"], facilities: tenant.facilityIds },
    });
    for (let i = 0; i < 55; i++) {
      await publishEvent({ eventType: "shift.scheduled", facilityId: tenant.facilityIds[0], data: { i } });
    }
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const deliveries = page.getByRole("list", { name: "Deliveries" }).getByRole("listitem");
    await expect(deliveries).toHaveCount(50);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(deliveries).toHaveCount(55);
    await expect(page.getByRole("button", { name: "Load more" })).toBeHidden();
  } finally {
    await receiver.close();
  }
});

test("the Deliveries tab finds deliveries by the receiver's status, latency and a payload field, and says what it cannot search", async ({
  tenant,
  signedInPage: page,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const facilityId = tenant.facilityIds[0] ?? "";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/search"), events: ["all"], facilities: [facilityId] },
    });
    await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s-1" } });
    await expect.poll(() => receiver.received.length).toBe(1); // the server's worker sent it
    receiver.setDown(true);
    await publishEvent({ eventType: "shift.cancelled", facilityId, data: { shiftId: "s-2", reason: "ice" } });
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const rows = page.getByRole("list", { name: "Deliveries" }).getByRole("listitem");
    await expect(rows.filter({ hasText: "last response: 200" })).toHaveCount(1);
    await expect(rows.filter({ hasText: "last response: 503" })).toHaveCount(1); // the tab polls while pending

    const search = page.getByRole("form", { name: "Search deliveries" });
    await search.getByLabel("Payload field").fill("data.shiftId=s-2");
    await search.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText("shift.cancelled");

    await search.getByLabel("Payload field").fill("");
    await search.getByLabel("Receiver's HTTP status").fill("2xx");
    await search.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText("shift.created");

    await search.getByLabel("Receiver's HTTP status").fill("");
    await search.getByLabel("Attempt slower than (ms)").fill("60000");
    await search.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("No deliveries match these filters.")).toBeVisible();

    await search.getByLabel("Receiver's HTTP status").fill("6xx");
    await search.getByRole("button", { name: "Search" }).click();
    await expect(search.getByRole("alert")).toHaveText(
      "responseStatus must be an HTTP status (e.g. 503), a class (e.g. 5xx) or none",
    );
  } finally {
    await receiver.close();
  }
});
