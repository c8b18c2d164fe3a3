import type { Request } from "@playwright/test";
import { getDb } from "../server/db";
import { expect, test } from "./fixtures";

test("edit a webhook: schema errors before any request, save, reload, and the same change over REST", async ({
  tenant,
  webhook,
  signedInPage: page,
  webhooksOverApi,
}) => {
  const [first, second, third] = tenant.facilityIds as [string, string, string];
  const mutations: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/api/trpc/")) mutations.push(r.url());
  });

  await page.getByRole("link", { name: `Edit ${webhook.url}` }).click();
  await expect(page).toHaveURL(`/webhooks/${webhook.id}`);

  const url = page.getByLabel("URL");
  await url.fill("http://receiver.example/hooks");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("should be a secure URL with HTTPS")).toBeVisible();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  expect(mutations).toEqual([]);

  await url.fill("https://receiver.example/v2/hooks");
  await expect(page.getByText("should be a secure URL with HTTPS")).toBeHidden();
  await page.getByLabel("shift.created", { exact: true }).uncheck();
  await page.getByLabel("shift.cancelled", { exact: true }).check();
  await page.getByLabel("shift.report.created", { exact: true }).check();
  await page.getByLabel(`${first} `).uncheck();
  await page.getByLabel(`${second} `).check();
  await page.getByLabel(`${third} `).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();
  expect(mutations).toHaveLength(1);

  await page.reload();
  await expect(page.getByLabel("URL")).toHaveValue("https://receiver.example/v2/hooks");
  await expect(page.getByLabel("shift.created", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel("shift.cancelled", { exact: true })).toBeChecked();
  await expect(page.getByLabel("shift.report.created", { exact: true })).toBeChecked();
  await expect(page.getByLabel(`${first} `)).not.toBeChecked();
  await expect(page.getByLabel(`${second} `)).toBeChecked();

  expect(await webhooksOverApi()).toEqual([
    {
      ...webhook,
      url: "https://receiver.example/v2/hooks",
      events: ["shift.cancelled", "shift.report.created"],
      facilities: [second, third],
    },
  ]);
});

test("an event must stay selected: the shared schema says so next to the events", async ({
  editPage: page,
}) => {
  await page.getByLabel("shift.created", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("events must contain at least 1 elements")).toBeVisible();
});

test("rotate secrets: generate a second, at most two, reveal, remove the old one", async ({
  editPage: page,
  webhook,
  webhooksOverApi,
}) => {
  const original = webhook.secrets[0] ?? "";
  await expect(page.getByRole("textbox", { name: "Secret 1" })).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Reveal secret 1" }).click();
  await expect(page.getByRole("textbox", { name: "Secret 1" })).toHaveAttribute("type", "text");
  await expect(page.getByRole("textbox", { name: "Secret 1" })).toHaveValue(original);
  await expect(page.getByRole("button", { name: "Remove secret 1" })).toBeDisabled();

  await page.getByRole("button", { name: "Generate secret" }).click();
  await expect(page.getByRole("textbox", { name: "Secret 2" })).toHaveValue(/^[A-Za-z0-9]{32}$/);
  await expect(page.getByRole("button", { name: "Generate secret" })).toBeDisabled();
  const added = await page.getByRole("textbox", { name: "Secret 2" }).inputValue();
  await page.getByRole("button", { name: "Remove secret 1" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();

  expect((await webhooksOverApi())[0]?.secrets).toEqual([added]);
});

test("a refusal from the server is shown on the form, and a facility the admin lost can be unchecked", async ({
  editPage: page,
  tenant,
}) => {
  const [first, second] = tenant.facilityIds as [string, string];
  // The webhook listens to the first facility; the admin loses access to it while the form is open.
  await getDb().facilityAccess.delete({
    where: { userId_facilityId: { userId: tenant.user.id, facilityId: first } },
  });
  // Changing the facilities sends them, the lost one included: the server refuses.
  await page.getByLabel(`${second} `).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: `You do not have access to facility ${first}` }),
  ).toBeVisible();

  await page.reload();
  const lost = page.getByLabel(`${first} (you no longer have access)`);
  await expect(lost).toBeChecked();
  await lost.uncheck();
  await page.getByLabel(`${second} `).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();
});

test("create a webhook, then delete it after confirming", async ({ signedInPage: page, tenant }) => {
  await page.getByRole("link", { name: "New webhook" }).click();
  await page.getByLabel("URL").fill("https://new-receiver.example/hooks");
  await page.getByLabel("all", { exact: true }).check();
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await expect(page.getByLabel("URL")).toHaveValue("https://new-receiver.example/hooks");
  for (const facility of tenant.facilityIds) await expect(page.getByLabel(`${facility} `)).toBeChecked();

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Delete this webhook?");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByLabel("URL")).toBeVisible();

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete webhook" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByText("new-receiver.example")).toHaveCount(0);
});

test("a cold load of the edit page fetches at most 180 kB of compressed script, and Save works without more", async ({
  browser,
  signedInPage,
  webhook,
}) => {
  // A browser with the admin's session and an empty cache, as on a first visit.
  const context = await browser.newContext();
  await context.addCookies(await signedInPage.context().cookies());
  const page = await context.newPage();
  const scripts: Promise<number>[] = [];
  const countScript = (request: Request) => {
    if (request.resourceType() === "script") scripts.push(request.sizes().then((s) => s.responseBodySize));
  };
  page.on("requestfinished", countScript);
  await page.goto(`/webhooks/${webhook.id}`);
  await page.waitForLoadState("networkidle");
  // The first load only: a script loaded later (the toasts', after Save) may finish after the page closes.
  page.off("requestfinished", countScript);
  const firstLoad = (await Promise.all(scripts)).reduce((sum, size) => sum + size, 0);
  expect(firstLoad, "compressed script bytes on the first load").toBeGreaterThan(0);
  expect(firstLoad).toBeLessThanOrEqual(180 * 1024);

  await page.getByLabel("URL").fill("https://receiver.example/cold");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" }).first()).toBeVisible();
  await context.close();
});

test("opt in to Ed25519 signatures with the keyboard, copy a published key, and find the change in the history", async ({
  editPage: page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const optIn = page.getByRole("checkbox", { name: "Sign this webhook's deliveries with Ed25519 as well" });
  await expect(optIn).not.toBeChecked();
  await expect(optIn).toBeEnabled(); // once scripts run
  await optIn.focus();
  await page.keyboard.press("Space");
  await expect(page.getByText("Deliveries are signed with Ed25519 (v1a) as well")).toBeVisible();
  await expect(optIn).toBeChecked();

  // The key the page shows is the one the JWK set publishes, and its copy button copies it.
  const { keys } = (await (await page.request.get("/api/v2/public/webhooks/signing-keys")).json()) as {
    keys: { kid: string; x: string }[];
  };
  const [key] = keys;
  await expect(page.getByText(key?.x ?? "-", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: `Copy public key ${key?.kid}` }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key?.x);

  await page.reload();
  await expect(optIn).toBeChecked();
  await page.getByRole("tab", { name: "History" }).click();
  await expect(page.getByRole("tabpanel").getByText("ed25519 signatures")).toBeVisible();
});
