import { revokeFacilityAccess } from "../server/accounts/accounts.service";
import { expect, test } from "./fixtures";

const listWebhooks = (request: import("@playwright/test").APIRequestContext, token: string) =>
  request
    .get("/api/v2/public/webhooks/facility", { headers: { authorization: `Bearer ${token}` } })
    .then((r) => r.status());

test("an API client created in the browser works on REST; rotating stops the old token; revoking stops it all", async ({
  signedInPage: page,
  request,
}) => {
  await page.getByRole("link", { name: "API clients" }).click();
  await page.getByLabel("New client name").fill("Rostering system");
  await page.getByRole("button", { name: "Create client" }).click();
  const shown = page.getByRole("status").filter({ hasText: "Token for Rostering system" });
  await expect(shown).toContainText("shown only once");
  const token = await page.getByLabel("API token").inputValue();
  expect(token).toMatch(/^fwh_/);
  expect(await listWebhooks(request, token)).toBe(200);
  await page.getByRole("button", { name: "Done" }).click();

  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "Rostering system" });
  await expect(row).not.toContainText("Never"); // "last used" now shows the REST call
  await row.getByRole("button", { name: "Rotate token of Rostering system" }).click();
  await expect(page.getByLabel("The old token")).toHaveValue("0");
  await page.getByRole("dialog").getByRole("button", { name: "Rotate token" }).click();
  await expect(page.getByRole("status")).toContainText("The previous token no longer works.");
  const rotated = await page.getByLabel("API token").inputValue();
  expect(rotated).not.toBe(token);
  expect(await listWebhooks(request, token)).toBe(401);
  expect(await listWebhooks(request, rotated)).toBe(200);

  await row.getByRole("button", { name: "Revoke Rostering system" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke client" }).click();
  await expect(row).toContainText("Revoked");
  expect(await listWebhooks(request, rotated)).toBe(401);
});

test("ending another session signs that browser out on its next request", async ({
  signedInPage,
  secondBrowser: otherPage,
}) => {
  await signedInPage.getByRole("link", { name: "Sessions" }).click();
  const rows = signedInPage.getByRole("row");
  await expect(rows.filter({ hasText: "This session" })).toHaveCount(1);
  await rows
    .filter({ hasNotText: "This session" })
    .getByRole("button", { name: /^End session/ })
    .click();
  await expect(signedInPage.getByRole("row").filter({ hasNotText: "This session" })).toHaveCount(1); // the header row

  await otherPage.goto("/webhooks");
  await expect(otherPage).toHaveURL(/\/login$/);
  await signedInPage.goto("/webhooks"); // this one is still signed in
  await expect(signedInPage).toHaveURL(/\/webhooks$/);
});

test("a webhook listing a facility its owner lost is flagged on the list and the edit page", async ({
  signedInPage: page,
  tenant,
  webhook,
}) => {
  const lost = webhook.facilities[0] ?? "";
  await revokeFacilityAccess({ email: tenant.user.email, facilityId: lost });
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: webhook.url });
  await expect(row).toContainText(`No access any more to ${lost}`);
  await row.getByRole("link", { name: `Edit ${webhook.url}` }).click();
  await expect(page.getByText(`No access any more to ${lost}`)).toBeVisible();
  await expect(page.getByLabel(`${lost} (you no longer have access)`)).toBeChecked();
});

test("pages carry a nonce-based Content-Security-Policy without unsafe-eval, and refuse framing", async ({
  request,
}) => {
  const response = await request.get("/login");
  const policy = response.headers()["content-security-policy"] ?? "";
  const nonce = policy.match(/'nonce-([^']+)'/)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy).not.toContain("unsafe-eval");
  expect(policy).toContain("frame-ancestors 'none'");
  const html = await response.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
});

test("a path whose percent-encoding does not decode gets the contract's 401/404, never a 500", async ({
  request,
  tenant,
}) => {
  const path = "/api/v2/public/webhooks/facility/%E0%A4%A";
  const headers = { authorization: `Bearer ${tenant.client.token}` };
  for (const method of ["PATCH", "DELETE"] as const) {
    const anonymous = await request.fetch(path, { method });
    const known = await request.fetch(path, { method, headers, data: method === "PATCH" ? {} : undefined });
    expect(anonymous.status()).toBe(401);
    expect(await anonymous.json()).toEqual({ message: "Unauthorized", statusCode: 401 });
    expect(known.status()).toBe(404);
    expect(await known.json()).toEqual({ message: "Webhook not found", error: "Not Found", statusCode: 404 });
  }
  for (const other of [path, "/webhooks/%E0%A4%A", "/api/trpc/webhooks.list%E0%A4%A"]) {
    expect((await request.get(other)).status()).toBeLessThan(500);
  }
});
