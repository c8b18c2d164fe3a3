import { E2E_TLS } from "../playwright.config";
import { verifySignature } from "../server/webhooks/signature";
import { startReceiver } from "../tests/https-receiver";
import { expect, test } from "./fixtures";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
test.beforeAll(async () => {
  receiver = await startReceiver(E2E_TLS);
});
test.afterAll(() => receiver.close());

test("try a URL before creating the webhook, keyboard only: the receiver's answer shows, signed with the typed secret, nothing saved", async ({
  signedInPage: page,
  webhooksOverApi,
}) => {
  await page.goto("/webhooks/new");
  const url = receiver.url("/trial/new-page");
  await page.getByLabel("URL").fill(url);
  // Enabled once scripts run (disabled before: it needs them).
  await expect(page.getByRole("button", { name: "Send a test to this URL" })).toBeEnabled();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send a test to this URL" })).toBeFocused();
  await page.keyboard.press("Enter");

  await expect(
    page.getByRole("status").filter({ hasText: "The receiver answered HTTP 200 in" }),
  ).toContainText("Nothing was saved");
  await expect(page.getByText("Answer headers")).toBeVisible();
  await page.getByText("What was sent").click();
  const request = receiver.received.findLast((r) => r.path === "/trial/new-page");
  // Signed with the secret the form generated, as a delivery of the saved webhook would be.
  await page.getByRole("button", { name: "Reveal secret 1" }).click();
  const secret = await page.getByRole("textbox", { name: "Secret 1" }).inputValue();
  expect(
    verifySignature({ header: request?.headers["nursa-signature"], rawBody: request?.body ?? "", secret }),
  ).toBe(true);
  await expect(page.getByText(request?.headers["nursa-signature"] ?? "-", { exact: true })).toBeVisible();
  expect(await webhooksOverApi()).toEqual([]);
});

test("try another URL on the edit page: a failing answer shows as one, and the stored URL stays", async ({
  editPage: page,
  webhook,
  webhooksOverApi,
}) => {
  await page.getByLabel("URL").fill(receiver.url("/fail/edit-page"));
  await page.getByRole("button", { name: "Send a test to this URL" }).click();
  await expect(page.getByRole("status").filter({ hasText: "answered HTTP 500" })).toContainText(
    "a delivery would count this as a failure",
  );
  expect((await webhooksOverApi())[0]?.url).toBe(webhook.url);

  // A URL a save would refuse is not tried: the same message, no request.
  const count = receiver.received.length;
  await page.getByLabel("URL").fill("http://insecure.example/hook");
  await page.getByRole("button", { name: "Send a test to this URL" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Not sent: should be a secure URL with HTTPS" }),
  ).toBeVisible();
  expect(receiver.received.length).toBe(count);
});
