import { E2E_TLS } from "../playwright.config";
import { publishEvent } from "../server/deliveries/events.service";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

test("the edit page charts attempts and latency per hour, in words and as a table too; the list has a sparkline", async ({
  tenant,
  signedInPage: page,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const facilityId = tenant.facilityIds[0] ?? "";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: receiver.url("/fail"),
        events: ["shift.created", "shift.cancelled"],
        facilities: [facilityId],
      },
    });
    await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s-1" } });
    await publishEvent({ eventType: "shift.cancelled", facilityId, data: { shiftId: "s-1", reason: "x" } });
    await expect.poll(() => receiver.received.length).toBe(2); // the server's worker attempted both

    await page.goto(`/webhooks/${webhook.id}`);
    const health = page.getByRole("region", { name: "Delivery health" });
    await expect(health).toContainText("Last 24 hours: 2 attempts, 0% succeeded; p50 under");
    await expect(
      health.getByRole("img", { name: /^Attempts per hour\. Last 24 hours: 2 attempts/ }),
    ).toBeVisible();
    await expect(
      health.getByRole("img", { name: /^Latency per hour\. Over the range, p50 under/ }),
    ).toBeVisible();
    await health.getByText("The hours with attempts, as a table").click();
    const row = health.getByRole("row").nth(1);
    await expect(row.getByRole("cell").nth(1)).toHaveText("0");
    await expect(row.getByRole("cell").nth(2)).toHaveText("2");

    await health.getByRole("link", { name: "7 days" }).click();
    await expect(page).toHaveURL(/\?range=7d$/);
    await expect(health.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
    await expect(health).toContainText("Last 7 days: 2 attempts");

    await page.goto("/webhooks");
    await expect(
      page
        .getByRole("row")
        .filter({ hasText: webhook.url })
        .getByRole("img", { name: "Last 24 hours: 2 attempts, 0% succeeded" }),
    ).toBeVisible();
  } finally {
    await receiver.close();
  }
});
