import { createWebhook } from "../server/webhooks/webhook.service";
import { expect, test } from "./fixtures";

test("the list filters by facility and event and loads more pages on demand", async ({
  tenant,
  signedInPage: page,
}) => {
  const [first, second] = tenant.facilityIds as [string, string];
  for (let i = 0; i < 27; i++) {
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: `https://receiver.example/${i}`,
        events: [i === 26 ? "all" : "shift.created"],
        facilities: [first],
      },
    });
  }
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: "https://other.example/cancelled", events: ["shift.cancelled"], facilities: [second] },
  });
  await page.reload();

  const rows = page.getByRole("link", { name: /^Edit / });
  await expect(rows).toHaveCount(25);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(28);
  await expect(page.getByRole("button", { name: "Load more" })).toBeHidden();

  await page.getByLabel("Facility").selectOption(second);
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Edit https://other.example/cancelled" })).toBeVisible();

  await page.getByLabel("Facility").selectOption("");
  await page.getByLabel("Event").selectOption("shift.cancelled");
  // Only the shift.cancelled webhook and the one listening to `all`.
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("link", { name: "Edit https://receiver.example/26" })).toBeVisible();
});
