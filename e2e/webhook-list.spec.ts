import { getDb } from "../server/db";
import { createWebhook } from "../server/webhooks/webhook.service";
import type { Tenant } from "../tests/helpers";
import { expect, test } from "./fixtures";

/**
 * 27 webhooks on the tenant's first facility (the last listening to `all`; the first failing, the
 * second disabled) and one shift.cancelled webhook on the second: 28, more than one page.
 */
async function createListedWebhooks(tenant: Tenant) {
  const [first, second] = tenant.facilityIds as [string, string];
  const ids: string[] = [];
  for (let i = 0; i < 27; i++) {
    const { id } = await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: `https://receiver.example/${i}`,
        events: [i === 26 ? "all" : "shift.created"],
        facilities: [first],
      },
    });
    ids.push(id);
  }
  await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: "https://other.example/cancelled", events: ["shift.cancelled"], facilities: [second] },
  });
  const since = new Date("2026-12-01T08:00:00Z");
  await getDb().webhook.update({ where: { id: ids[0] }, data: { failingSince: since, failureStreak: 4 } });
  await getDb().webhook.update({
    where: { id: ids[1] },
    data: { failingSince: since, failureStreak: 40, disabledAt: new Date(), disabledReason: "410 Gone" },
  });
  return { first, second };
}

test("the list filters by facility, event and health and loads more pages on demand", async ({
  tenant,
  signedInPage: page,
}) => {
  const { second } = await createListedWebhooks(tenant);
  await page.reload();

  const rows = page.getByRole("link", { name: /^Edit / });
  await expect(rows).toHaveCount(25);
  await page.getByRole("link", { name: "Load more" }).click();
  await expect(rows).toHaveCount(28);
  await expect(page.getByRole("link", { name: "Load more" })).toBeHidden();
  await expect(page).toHaveURL(/\/webhooks$/); // appended in place, not a navigation

  await page.getByLabel("Facility").selectOption(second);
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Edit https://other.example/cancelled" })).toBeVisible();

  await page.getByLabel("Facility").selectOption("");
  await page.getByLabel("Event").selectOption("shift.cancelled");
  // Only the shift.cancelled webhook and the one listening to `all`.
  await expect(rows).toHaveCount(2);
  await expect(page.getByRole("link", { name: "Edit https://receiver.example/26" })).toBeVisible();

  await page.getByLabel("Event").selectOption("");
  await page.getByLabel("Health").selectOption("failing");
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Edit https://receiver.example/0" })).toBeVisible();
  // The address keeps the filter: a reload shows the same list, rendered by the server.
  await expect(page).toHaveURL(/\/webhooks\?health=failing$/);
  await page.reload();
  await expect(page.getByLabel("Health")).toHaveValue("failing");
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Apply filters" })).toHaveCount(0); // scripts apply them
});

test("with scripts off, every webhook is reachable: Load more is a link and the filters a form", async ({
  tenant,
  scriptlessPage: page,
}) => {
  const { first } = await createListedWebhooks(tenant);
  await page.goto("/webhooks");
  const rows = page.getByRole("link", { name: /^Edit / });
  await expect(rows).toHaveCount(25);

  await page.getByRole("link", { name: "Load more" }).click();
  await expect(rows).toHaveCount(3);
  await expect(page.getByRole("link", { name: "Edit https://other.example/cancelled" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Load more" })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to the first page" }).click();
  await expect(rows).toHaveCount(25);

  await page.getByLabel("Facility").selectOption(first);
  await page.getByLabel("Health").selectOption("disabled");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`/webhooks\\?facility=${first}&event=&health=disabled$`));
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: "receiver.example/1" })).toContainText("Disabled");
  await expect(page.getByLabel("Health")).toHaveValue("disabled");

  await page.getByLabel("Health").selectOption("healthy");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows).toHaveCount(25);
  await expect(page.getByRole("link", { name: "Edit https://receiver.example/0" })).toHaveCount(0);
});

test("an address with filters that cannot be used shows every webhook and says why", async ({
  webhook,
  signedInPage: page,
}) => {
  await page.goto("/webhooks?health=sideways&after=nonsense");
  await expect(page.getByRole("alert").filter({ hasText: "could not be used" })).toContainText(
    "health must be one of: healthy, failing, disabled; cursor must be one the previous page returned",
  );
  await expect(page.getByRole("link", { name: `Edit ${webhook.url}` })).toBeVisible();
});
