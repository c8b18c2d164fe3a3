import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { E2E_TLS } from "../playwright.config";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { noticeInsert } from "../server/notices/notices";
import { createWebhook } from "../server/webhooks/webhook.service";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

/** axe-core's WCAG 2.x A and AA rules on the page as it is now; serious and critical findings fail. */
async function expectAccessible(page: Page, state: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const blocking = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(blocking, state).toEqual([]);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`in the ${colorScheme} color scheme`, () => {
    test.use({ colorScheme });

    test("sign-in with an error, the empty list, a new webhook's form", async ({ page, tenant }) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(tenant.user.email);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
      await expectAccessible(page, "sign-in with an error");

      await page.getByLabel("Password").fill(tenant.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/webhooks$/);
      await expectAccessible(page, "empty list");

      await page.goto("/webhooks/new");
      await expect(page.getByLabel("URL")).toBeVisible();
      await expectAccessible(page, "new webhook");
    });

    test("the list, the edit page with errors, its dialog and its tabs", async ({ editPage: page }) => {
      test.slow(); // axe runs on seven page states: more than the default 30 s on a 2-core machine
      await page.getByLabel("URL").fill("http://insecure.example");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByText("should be a secure URL with HTTPS")).toBeVisible();
      await expectAccessible(page, "edit with errors");

      await page.getByRole("button", { name: "Delete" }).click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      await expectAccessible(page, "delete dialog");
      await page.keyboard.press("Escape");

      await page.getByRole("tab", { name: "History" }).click();
      await expect(page.getByRole("tabpanel")).toBeVisible();
      await expectAccessible(page, "history tab");

      await page.goto("/webhooks");
      await expect(page.getByRole("table")).toBeVisible();
      await expectAccessible(page, "list");

      for (const path of ["/clients", "/sessions"]) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await expectAccessible(page, path);
      }
    });

    test("Deliveries with an expanded attempt", async ({ signedInPage: page, tenant }) => {
      const receiver = await startReceiver(E2E_TLS);
      try {
        const facilityId = tenant.facilityIds[0] ?? "";
        const webhook = await createWebhook({
          principal: tenant.clientPrincipal,
          input: { url: receiver.url("/a11y"), events: ["shift.created"], facilities: [facilityId] },
        });
        await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: "s-1" } });
        await page.goto(`/webhooks/${webhook.id}`);
        await page.getByRole("tab", { name: "Deliveries" }).click();
        const row = page.getByRole("listitem").filter({ hasText: "shift.created" });
        await expect(row).toContainText("success");
        await row.getByRole("button", { name: /^Details of shift.created delivery/ }).click();
        await expect(row).toContainText("Attempt 1 · 200");
        await expectAccessible(page, "deliveries with an expanded attempt");

        await row.getByRole("button", { name: "Debug signature of attempt 1" }).click();
        await row.getByLabel("Signature your receiver computed").fill("v1,not-the-right-one");
        await row.getByRole("button", { name: "Check" }).click();
        await expect(row.getByRole("status").filter({ hasText: "Not a signature." })).toBeVisible();
        await expectAccessible(page, "signature debugger with a verdict");
      } finally {
        await receiver.close();
      }
    });

    test("the audit log, a filtered list with no match, a delivery search refused", async ({
      signedInPage: page,
      webhook,
    }) => {
      await page.goto("/audit");
      await expect(page.getByRole("row").nth(1)).toBeVisible();
      await expectAccessible(page, "audit log");
      await getDb().$executeRaw(noticeInsert(webhook.id, "failing", "has failed every attempt since 08:00."));
      await page.goto("/notices");
      await expect(page.getByRole("link", { name: "Notices: 1 unread" })).toBeVisible();
      await expectAccessible(page, "notices, one unread, the bell's count");
      await page.goto(`/webhooks/${webhook.id}?range=7d`);
      await page.getByText("The hours with attempts, as a table").click();
      await expectAccessible(page, "health charts, 7 days, table open");
      await page.goto("/webhooks?health=disabled");
      await expect(page.getByText("No webhooks match these filters.")).toBeVisible();
      await expectAccessible(page, "list filtered to nothing");
      await page.goto(`/webhooks/${webhook.id}`);
      await page.getByRole("tab", { name: "Deliveries" }).click();
      await page.getByLabel("Payload field").fill("shiftId");
      await page.getByRole("button", { name: "Search" }).click();
      await expect(page.getByRole("form", { name: "Search deliveries" }).getByRole("alert")).toBeVisible();
      await expectAccessible(page, "delivery search refused");
    });

    test("a URL trial's answer, and a trial refused before sending", async ({ signedInPage: page }) => {
      const receiver = await startReceiver(E2E_TLS);
      try {
        await page.goto("/webhooks/new");
        await page.getByLabel("URL").fill(receiver.url("/a11y-trial"));
        await page.getByRole("button", { name: "Send a test to this URL" }).click();
        await expect(page.getByRole("status").filter({ hasText: "answered HTTP 200" })).toBeVisible();
        await page.getByText("What was sent").click();
        await expectAccessible(page, "URL trial answer");

        await page.getByLabel("URL").fill("http://insecure.example");
        await page.getByRole("button", { name: "Send a test to this URL" }).click();
        await expect(page.getByRole("status").filter({ hasText: "Not sent:" })).toBeVisible();
        await expectAccessible(page, "URL trial refused");
      } finally {
        await receiver.close();
      }
    });
  });
}

test("keyboard only: sign in, open a webhook, change its events, save, see the confirmation", async ({
  page,
  tenant,
  webhook,
}) => {
  await page.goto("/login");
  // Tab to each control and type, as a keyboard user does; the mouse is never used.
  const tabTo = async (name: string | RegExp, role: "textbox" | "button" | "link" | "checkbox") => {
    const target = page.getByRole(role, { name, exact: typeof name === "string" });
    for (let presses = 0; presses < 80; presses++) {
      await page.keyboard.press("Tab");
      if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) {
        // Focus must show: an outline or a ring (box-shadow) drawn around the focused control.
        const visible = await target.evaluate((element) => {
          const style = getComputedStyle(element);
          return (
            (style.outlineStyle !== "none" && style.outlineWidth !== "0px") || style.boxShadow !== "none"
          );
        });
        expect(visible, `visible focus on ${String(name)}`).toBe(true);
        return;
      }
    }
    throw new Error(`Tab never reached ${String(name)}`);
  };

  await tabTo("Email", "textbox");
  await page.keyboard.type(tenant.user.email);
  await tabTo("Password", "textbox");
  await page.keyboard.type(tenant.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/webhooks$/);

  await tabTo(`Edit ${webhook.url}`, "link");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`/webhooks/${webhook.id}`);

  await tabTo("shift.cancelled", "checkbox");
  await page.keyboard.press("Space");
  await tabTo("Save", "button");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Webhook saved" }).first()).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "shift.cancelled", exact: true })).toBeChecked();
});

test("keyboard only: the edit page's tabs follow the arrow keys; the delete dialog holds focus and gives it back", async ({
  editPage: page,
}) => {
  const tab = (name: string) => page.getByRole("tab", { name });
  await tab("Settings").focus();
  for (const [key, name] of [
    ["ArrowRight", "Deliveries"],
    ["End", "History"],
    ["ArrowRight", "Settings"],
    ["ArrowLeft", "History"],
    ["Home", "Settings"],
  ] as const) {
    await page.keyboard.press(key);
    await expect(tab(name)).toBeFocused();
    await expect(tab(name)).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("tabpanel")).toHaveAttribute(
      "aria-labelledby",
      (await tab(name).getAttribute("id")) ?? "",
    );
  }
  await expect(page.getByRole("tab", { selected: true })).toHaveCount(1);

  const remove = page.getByRole("button", { name: "Delete", exact: true });
  await remove.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog", { name: "Delete this webhook?" });
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Delete webhook" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(remove).toBeFocused();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]+$/); // Escape cancelled: still on the edit page
});
