import { revokeFacilityAccess } from "../server/accounts/accounts.service";
import { expect, test } from "./fixtures";

test("the Audit log shows who changed the account's access, from where, and filters by action without scripts", async ({
  tenant,
  signedInPage: page,
  scriptlessPage,
}) => {
  await page.getByRole("link", { name: "API clients" }).click();
  await page.getByLabel("New client name").fill("Rostering system");
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Token for Rostering system" })).toBeVisible();
  await revokeFacilityAccess({ email: tenant.user.email, facilityId: tenant.facilityIds[2] ?? "" });

  await page.getByRole("link", { name: "Audit log" }).click();
  const rows = page.getByRole("row");
  const created = rows.filter({ hasText: 'API client "Rostering system"' });
  await expect(created).toContainText("client.created");
  await expect(created).toContainText(tenant.user.email);
  await expect(created).toContainText("127.0.0.1"); // the browser's address
  const removed = rows.filter({ hasText: "facility-access.removed" });
  await expect(removed).toContainText("operator");
  await expect(removed).toContainText("admin CLI on"); // no address: the operator's CLI, named by its machine

  // With scripts off the filter is a form and still works.
  await scriptlessPage.goto("/audit");
  await scriptlessPage.getByLabel("Action").selectOption("facility-access.removed");
  await scriptlessPage.getByRole("button", { name: "Filter" }).click();
  await expect(scriptlessPage).toHaveURL(/\/audit\?action=facility-access.removed$/);
  await expect(scriptlessPage.getByRole("row")).toHaveCount(2); // the header and the one entry
  await expect(scriptlessPage.getByRole("row").nth(1)).toContainText(`facilities: ${tenant.facilityIds[2]}`);
});
