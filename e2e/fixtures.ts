import { test as base, expect, type Page } from "@playwright/test";
import { createWebhook, type Webhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "../tests/helpers";

type Fixtures = {
  /** A facility admin of their own (3 facilities, one API client), fresh for each test. */
  tenant: Tenant;
  /** One webhook of the tenant's client: shift.created on their first facility. */
  webhook: Webhook;
  signIn: (page: Page, tenant: Tenant) => Promise<void>;
};

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring.
  tenant: async ({}, use) => {
    await use(await createTenant(3));
  },
  webhook: async ({ tenant }, use) => {
    await use(
      await createWebhook({
        principal: tenant.clientPrincipal,
        input: {
          url: "https://receiver.example/hooks",
          events: ["shift.created"],
          facilities: [tenant.facilityIds[0] ?? ""],
        },
      }),
    );
  },
  // biome-ignore lint/correctness/noEmptyPattern: see above.
  signIn: async ({}, use) => {
    await use(async (page, tenant) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(tenant.user.email);
      await page.getByLabel("Password").fill(tenant.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/webhooks$/);
    });
  },
});

export { expect };
