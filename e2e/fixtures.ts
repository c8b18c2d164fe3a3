import { test as base, expect, type Page } from "@playwright/test";
import { signIn } from "../server/auth/sessions";
import { createWebhook, type Webhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "../tests/helpers";

type Fixtures = {
  /** A facility admin of their own (3 facilities, one API client), fresh for each test. */
  tenant: Tenant;
  /** One webhook of the tenant's client (shift.created on their first facility), as REST shows it. */
  webhook: Omit<Webhook, "version">;
  /** A page signed in as the tenant through the login form, on the webhooks list. */
  signedInPage: Page;
  /** The same admin signed in from a second browser (cookies of its own), on the webhooks list. */
  secondBrowser: Page;
  /** The same admin in a browser with scripts off (signed in by cookie), on no page yet. */
  scriptlessPage: Page;
  /** The signed-in page, on the webhook's edit page. */
  editPage: Page;
  /** The tenant's webhooks as the REST API lists them to their API client. */
  webhooksOverApi: () => Promise<Omit<Webhook, "version">[]>;
};

async function signInThroughForm(page: Page, tenant: Tenant) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(tenant.user.email);
  await page.getByLabel("Password").fill(tenant.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring.
  tenant: async ({}, use) => {
    await use(await createTenant(3));
  },
  webhook: async ({ tenant }, use) => {
    const { version: _, ...webhook } = await createWebhook({
      principal: tenant.clientPrincipal,
      input: {
        url: "https://receiver.example/hooks",
        events: ["shift.created"],
        facilities: [tenant.facilityIds[0] ?? ""],
      },
    });
    await use(webhook);
  },
  signedInPage: async ({ page, tenant }, use) => {
    await signInThroughForm(page, tenant);
    await use(page);
  },
  secondBrowser: async ({ browser, tenant }, use) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughForm(page, tenant);
    await use(page);
    await context.close();
  },
  scriptlessPage: async ({ browser, baseURL, tenant }, use) => {
    const session = await signIn({ email: tenant.user.email, password: tenant.password });
    if (!session.ok) throw new Error(session.error);
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.addCookies([{ name: "session", value: session.token, url: baseURL ?? "" }]);
    await use(await context.newPage());
    await context.close();
  },
  editPage: async ({ signedInPage, webhook }, use) => {
    await signedInPage.goto(`/webhooks/${webhook.id}`);
    await use(signedInPage);
  },
  webhooksOverApi: async ({ request, tenant }, use) => {
    await use(async () => {
      const response = await request.get("/api/v2/public/webhooks/facility", {
        headers: { authorization: `Bearer ${tenant.client.token}` },
      });
      expect(response.status()).toBe(200);
      return (await response.json()).data;
    });
  },
});

export { expect };
