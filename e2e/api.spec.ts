import { expect, test } from "./fixtures";

// The contract suite runs in Vitest against the route handlers; these prove the same over real
// HTTP through the production server, where framework limits and body parsing could differ.
const path = (id?: string) => `/api/v2/public/webhooks/facility${id ? `/${id}` : ""}`;

test("PATCH over HTTP answers 201 with the webhook, and 401 without a token", async ({
  request,
  tenant,
  webhook,
}) => {
  const headers = { authorization: `Bearer ${tenant.client.token}` };
  const updated = await request.patch(path(webhook.id), { headers, data: { events: ["all"] } });
  expect(updated.status()).toBe(201);
  expect((await updated.json()).data).toEqual({ ...webhook, events: ["all"] });

  const anonymous = await request.patch(path(webhook.id), { data: { events: ["all"] } });
  expect(anonymous.status()).toBe(401);
  expect(await anonymous.json()).toEqual({ message: "Unauthorized", statusCode: 401 });
});

test("bad bodies over HTTP get 4xx in the contract's envelope, never 5xx", async ({
  request,
  tenant,
  webhook,
}) => {
  const headers = { authorization: `Bearer ${tenant.client.token}`, "content-type": "application/json" };
  const cases = [
    { data: "{not json", status: 400 },
    { data: "[1,2]", status: 400 },
    { data: JSON.stringify({ url: null, events: null }), status: 400 },
    { data: JSON.stringify({ url: `https://x.example/${"a".repeat(2 * 1024 * 1024)}` }), status: 413 },
  ];
  for (const { data, status } of cases) {
    const response = await request.patch(path(webhook.id), { headers, data });
    expect(response.status()).toBe(status);
    expect(await response.json()).toMatchObject({ statusCode: status, message: expect.any(Array) });
  }
  const unchanged = await request.get(path(), { headers });
  expect((await unchanged.json()).data).toEqual([webhook]);
});

test("the API reference opens from the header and renders the OpenAPI document, PATCH included, under the page's CSP", async ({
  signedInPage: page,
}) => {
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) refused.push(message.text());
  });
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL("/docs/api");
  const patch = page.locator(".opblock-patch", { hasText: "/api/v2/public/webhooks/facility/{webhookId}" });
  // Swagger UI renders the whole document before it shows an operation: seconds on a loaded machine.
  await expect(patch).toBeVisible({ timeout: 15_000 });
  await patch.locator(".opblock-summary").click();
  await expect(patch.getByText("Webhook was modified by someone else")).toBeVisible();
  await expect(page.getByText("shift.report.accepted-automatically").first()).toBeVisible();
  expect(refused).toEqual([]);
});
