import { E2E_TLS } from "../playwright.config";
import { getDb } from "../server/db";
import { resendDelivery } from "../server/deliveries/deliveries.service";
import { publishEvent } from "../server/deliveries/events.service";
import { createWebhook } from "../server/webhooks/webhook.service";
import type { Tenant } from "../tests/helpers";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

/**
 * Failed deliveries the way an outage leaves them: the server's worker fails the first attempt,
 * Resend the one retry the e2e server allows.
 */
async function failedDeliveries(tenant: Tenant, url: string, count: number) {
  const facilityId = tenant.facilityIds[0] ?? "";
  const webhook = await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url, events: ["shift.cancelled"], facilities: [facilityId] },
  });
  for (let i = 0; i < count; i++) {
    await publishEvent({ eventType: "shift.cancelled", facilityId, data: { shiftId: `s-${i}` } });
  }
  const deliveries = () => getDb().delivery.findMany({ where: { webhookId: webhook.id } });
  await expect.poll(async () => (await deliveries()).every((d) => d.attempts === 1)).toBe(true);
  for (const delivery of await deliveries()) {
    await resendDelivery({ principal: tenant.userPrincipal, deliveryId: delivery.id });
  }
  await expect.poll(async () => (await deliveries()).every((d) => d.status === "failure")).toBe(true);
  return webhook;
}

/** A datetime-local value an hour ago, in the browser's (and this machine's) time zone. */
const anHourAgo = () => {
  const at = new Date(Date.now() - 3_600_000);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

test("bulk replay: filter failed deliveries, see the count, confirm, follow the progress to the end", async ({
  tenant,
  signedInPage: page,
}) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    receiver.setDown(true);
    const webhook = await failedDeliveries(tenant, receiver.url("/outage"), 3);
    receiver.setDown(false); // the outage is over

    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const replay = page.getByRole("region", { name: "Replay failed deliveries" });
    await replay.getByLabel("From").fill(anHourAgo());
    await replay.getByLabel("Event").selectOption("shift.cancelled");
    await replay.getByRole("button", { name: "Count failed deliveries" }).click();
    await expect(replay.getByRole("status")).toContainText("3 failed deliveries match");

    await replay.getByRole("button", { name: "Replay 3…" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Replay 3 failed deliveries?" });
    await dialog.getByRole("button", { name: "Replay" }).click();
    const progress = replay.getByRole("list", { name: "Replays" }).getByRole("listitem").first();
    await expect(progress).toContainText(/Replaying: [0-2] of 3/);
    await expect(progress).toContainText("Replayed: 3 of 3", { timeout: 15_000 });
    await expect(progress.getByRole("progressbar")).toHaveAttribute("value", "3");

    // Each replay is a new attempt of the same delivery, and it arrived.
    const rows = page.getByRole("list", { name: "Deliveries" }).getByRole("listitem");
    await expect(rows.filter({ hasText: "success" })).toHaveCount(3);
    await expect(rows.first()).toContainText("3 attempts");
    const ids = (await getDb().delivery.findMany({ where: { webhookId: webhook.id } })).map((d) => d.id);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-delivery-id"]))).toEqual(new Set(ids));
  } finally {
    await receiver.close();
  }
});

test("a running replay can be cancelled from the tab", async ({ tenant, signedInPage: page }) => {
  const receiver = await startReceiver(E2E_TLS);
  try {
    receiver.setDown(true);
    const webhook = await failedDeliveries(tenant, receiver.url("/outage"), 5);
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole("tab", { name: "Deliveries" }).click();
    const replay = page.getByRole("region", { name: "Replay failed deliveries" });
    await replay.getByLabel("From").fill(anHourAgo());
    await replay.getByRole("button", { name: "Count failed deliveries" }).click();
    await replay.getByRole("button", { name: "Replay 5…" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Replay" }).click();
    await replay.getByRole("button", { name: "Cancel replay" }).click();
    const progress = replay.getByRole("list", { name: "Replays" }).getByRole("listitem").first();
    await expect(progress).toContainText(/Cancelled: [0-4] of 5/);
    await expect(replay.getByRole("button", { name: "Cancel replay" })).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test("a disabled webhook shows why on its edit page, and Re-enable turns deliveries back on", async ({
  webhook,
  signedInPage: page,
}) => {
  await getDb().webhook.update({
    where: { id: webhook.id },
    data: {
      disabledAt: new Date(),
      disabledReason: "every attempt since 2026-11-26T08:00:00.000Z failed (412 attempts; the last: 503)",
      failingSince: new Date("2026-11-26T08:00:00.000Z"),
      failureStreak: 412,
    },
  });
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: webhook.url })).toContainText("Disabled");
  await page.goto(`/webhooks/${webhook.id}`);
  const banner = page.getByRole("alert").filter({ hasText: "Deliveries to this webhook were stopped" });
  await expect(banner).toContainText("412 attempts; the last: 503");
  await banner.getByRole("button", { name: "Re-enable" }).click();
  await expect(page.getByText("Webhook re-enabled")).toBeVisible();
  await expect(banner).toHaveCount(0);
  expect((await getDb().webhook.findUniqueOrThrow({ where: { id: webhook.id } })).disabledAt).toBeNull();
  await page.getByRole("tab", { name: "History" }).click();
  await expect(page.getByText("re-enabled").first()).toBeVisible();
});
