import { expect, test } from "./fixtures";

test("signed-out visits to admin pages go to /login", async ({ page, webhook }) => {
  for (const path of ["/webhooks", "/webhooks/new", `/webhooks/${webhook.id}`]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login$/);
  }
});

test("a wrong password is refused without saying which part was wrong, keeping the email typed", async ({
  page,
  tenant,
}) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(tenant.user.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("Email")).toHaveValue(tenant.user.email);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("signing in sets an HttpOnly SameSite session cookie and shows the admin's webhooks", async ({
  webhook,
  tenant,
  signedInPage: page,
}) => {
  const session = (await page.context().cookies()).find((c) => c.name === "session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");

  const row = page.getByRole("row").filter({ hasText: webhook.url });
  await expect(row).toContainText("shift.created");
  await expect(row).toContainText(tenant.facilityIds[0] ?? "");
  await expect(page.getByRole("link", { name: "New webhook" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/webhooks");
  await expect(page).toHaveURL(/\/login$/);
});
