import { E2E_TLS } from "../playwright.config";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

test("a webhook disabled by its receiver's 410 rings the bell; the notice says why, and Mark all as read works without scripts", async ({
  tenant,
  signedInPage: page,
  scriptlessPage,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    const facilityId = tenant.facilityIds[0] ?? "";
    const webhook = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: receiver.url("/gone"), events: ["shift.created"], facilities: [facilityId] },
    });
    await expect(page.getByRole("link", { name: "Notices", exact: true })).toBeVisible();
    await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s-1" } });
    await expect.poll(() => receiver.received.length).toBe(1); // the server's worker sent it: 410

    await expect.poll(() => getDb().notice.count({ where: { webhookId: webhook.id } })).toBe(1);
    await page.reload();
    await page.getByRole("link", { name: "Notices: 1 unread" }).click();
    const notice = page.getByRole("list", { name: "Notices" }).getByRole("listitem");
    await expect(notice).toContainText("Disabled");
    await expect(notice).toContainText(`${webhook.url} was disabled: the receiver answered 410 Gone`);

    await scriptlessPage.goto("/notices");
    await scriptlessPage.getByRole("button", { name: "Mark all as read" }).click();
    await expect(scriptlessPage.getByRole("link", { name: "Notices", exact: true })).toBeVisible();
    await expect(scriptlessPage.getByRole("listitem")).not.toContainText("Unread");
  } finally {
    await receiver.close();
  }
});
