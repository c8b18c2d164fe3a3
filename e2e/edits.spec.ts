import { expect, test } from "./fixtures";

test("with scripts off, the edit page shows every stored value, and what needs scripts is disabled", async ({
  tenant,
  webhook,
  scriptlessPage: page,
}) => {
  await page.goto(`/webhooks/${webhook.id}`);

  await expect(page.getByLabel("URL")).toHaveValue(webhook.url);
  await expect(page.getByLabel("shift.created", { exact: true })).toBeChecked();
  await expect(page.getByLabel("shift.cancelled", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel(`${webhook.facilities[0]} `)).toBeChecked();
  await expect(page.getByLabel(`${tenant.facilityIds[1]} `)).not.toBeChecked();
  await expect(page.getByLabel("Secret 1", { exact: true })).toHaveValue(webhook.secrets[0] ?? "");
  // What only scripts can do is disabled, and says so, rather than seeming to work.
  await expect(page.getByRole("button", { name: "Send a test to this URL" })).toBeDisabled();
  expect(await page.content()).toContain("Trying a URL needs JavaScript."); // a noscript note
  await expect(page.getByLabel("Sign this webhook's deliveries with Ed25519 as well")).toBeDisabled();
  await expect(page.getByRole("button", { name: /^Copy public key / })).toBeDisabled();
});

test("two admins editing one webhook: the second save sees what changed and can reload or overwrite", async ({
  editPage: first,
  secondBrowser: second,
  webhook,
  webhooksOverApi,
}) => {
  // A colleague opens the same webhook and moves its URL.
  await second.goto(`/webhooks/${webhook.id}`);
  await second.getByLabel("URL").fill("https://receiver.example/moved");
  await second.getByRole("button", { name: "Save" }).click();
  await expect(second.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();

  // The first admin, still on the old version, changes the events.
  await first.getByLabel("shift.cancelled", { exact: true }).check();
  await first.getByRole("button", { name: "Save" }).click();
  const conflict = first.getByRole("alert").filter({ hasText: "changed by someone else" });
  await expect(conflict).toBeVisible();
  const urlRow = conflict.getByRole("row").filter({ hasText: "URL" });
  await expect(urlRow).toContainText(webhook.url);
  await expect(urlRow).toContainText("https://receiver.example/moved");
  await expect(first.getByLabel("shift.cancelled", { exact: true })).toBeChecked(); // the admin's input is kept

  await conflict.getByRole("button", { name: "Overwrite" }).click();
  await expect(first.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();
  // Only what the first admin changed was written: the colleague's URL stays.
  expect(await webhooksOverApi()).toEqual([
    { ...webhook, url: "https://receiver.example/moved", events: ["shift.created", "shift.cancelled"] },
  ]);

  // Now the colleague is behind: Reload takes the stored webhook into the form.
  await second.getByLabel("shift.report.created", { exact: true }).check();
  await second.getByRole("button", { name: "Save" }).click();
  const secondConflict = second.getByRole("alert").filter({ hasText: "changed by someone else" });
  await expect(secondConflict.getByRole("row").filter({ hasText: "Events" })).toBeVisible();
  await secondConflict.getByRole("button", { name: "Reload" }).click();
  await expect(secondConflict).toBeHidden();
  await expect(second.getByLabel("shift.cancelled", { exact: true })).toBeChecked();
  await expect(second.getByLabel("shift.report.created", { exact: true })).not.toBeChecked();
});

test("the History tab lists each change, and Restore puts an earlier version back", async ({
  editPage: page,
  tenant,
  webhook,
  webhooksOverApi,
}) => {
  await page.getByLabel("URL").fill("https://receiver.example/second");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();

  await page.getByRole("tab", { name: "History" }).click();
  const entries = page.getByRole("list", { name: "Changes, newest first" }).getByRole("listitem");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText("Updated · version 2");
  await expect(entries.nth(0)).toContainText(tenant.user.email);
  await expect(entries.nth(0)).toContainText("https://receiver.example/second");
  await expect(entries.nth(1)).toContainText("Created · version 1");

  await entries.nth(1).getByRole("button", { name: "Restore version 1" }).click();
  const dialog = page.getByRole("alertdialog");
  // Secrets stay as they are today unless the admin ticks the box naming the version's own.
  await expect(dialog).toContainText("Today's secrets (sha256:");
  await expect(dialog.getByLabel(/Also restore this version's secrets \(sha256:/)).not.toBeChecked();
  await dialog.getByRole("button", { name: "Restore" }).click();
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText("Restored · version 3");
  expect(await webhooksOverApi()).toEqual([webhook]);
  await page.getByRole("tab", { name: "Settings" }).click();
  await expect(page.getByLabel("URL")).toHaveValue(webhook.url);
});

test("what the admin types into the URL before scripts have loaded is kept when they start", async ({
  signedInPage: page,
  webhook,
}) => {
  // Hold the page's scripts until the admin has typed, as a slow connection would.
  const held: (() => Promise<void>)[] = [];
  let holding = true;
  await page.route("**/_next/static/chunks/**", (route) =>
    holding ? void held.push(() => route.continue()) : route.continue(),
  );
  await page.goto(`/webhooks/${webhook.id}`, { waitUntil: "commit" });
  const url = page.getByLabel("URL");
  await expect(url).toHaveValue(webhook.url); // in the HTML already
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
  await url.fill("https://receiver.example/typed-early");
  expect(held.length).toBeGreaterThan(0); // the scripts really were waiting
  holding = false;
  await Promise.all(held.map((release) => release()));
  // Save is enabled once scripts run (disabled in the HTML, so nothing submits before then).
  const save = page.getByRole("button", { name: "Save" });
  await expect(save).toBeEnabled();
  await expect(url).toHaveValue("https://receiver.example/typed-early");
  await save.click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" })).toBeVisible();
  await expect(url).toHaveValue("https://receiver.example/typed-early");
});
