/**
 * Hostile requests through the real route handlers: cross-site mutations, malformed cookies, and
 * unexpected errors that must answer without internals (and be logged with their request id).
 */
process.env.APP_URL = "https://webhooks.example.test";

import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import { sessionCookieName, sessionCookieOptions } from "../server/auth/session-cookie";
import { signIn } from "../server/auth/sessions";
import { getDb } from "../server/db";
import { createWebhook, getWebhook } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";
import { captureLog } from "./log-capture";

const APP = "https://webhooks.example.test";
let tenant: Tenant;
let cookie: string;

beforeAll(async () => {
  tenant = await createTenant(1);
  const session = await signIn({ email: tenant.user.email, password: tenant.password });
  if (!session.ok) throw new Error(session.error);
  cookie = `__Host-session=${session.token}`;
});
afterEach(() => vi.restoreAllMocks());

const newWebhook = () =>
  createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: "https://receiver.example/a", events: ["shift.created"] },
  });

function trpcUpdate(id: string, headers: Record<string, string>) {
  return trpcRoute.POST(
    new Request(`${APP}/api/trpc/webhooks.update`, {
      method: "POST",
      headers: { "content-type": "application/json", host: "webhooks.example.test", cookie, ...headers },
      body: JSON.stringify({ id, version: 1, url: "https://attacker.example/steal" }),
    }),
  );
}

describe("cross-site tRPC mutations", () => {
  it.each([
    ["an Origin of another site", { origin: "https://evil.example" }],
    [
      "a sibling subdomain (Sec-Fetch-Site: same-site)",
      { origin: "https://x.example.test", "sec-fetch-site": "same-site" },
    ],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Origin: null", { origin: "null" }],
  ])("refuses %s with 403 and changes nothing", async (_name, headers) => {
    const webhook = await newWebhook();
    const response = await trpcUpdate(webhook.id, headers);
    expect(response.status).toBe(403);
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId: webhook.id })).url).toBe(
      webhook.url,
    );
  });

  it("accepts the app's own pages (same origin)", async () => {
    const webhook = await newWebhook();
    const response = await trpcUpdate(webhook.id, { origin: APP, "sec-fetch-site": "same-origin" });
    expect(response.status).toBe(200);
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId: webhook.id })).url).toBe(
      "https://attacker.example/steal",
    );
  });
});

describe("malformed input never makes a 500", () => {
  it("a malformed session cookie is no session: 401, not 500", async () => {
    for (const bad of ["__Host-session=%E0%A4%A", "session=%E0%A4%A", "__Host-session=%"]) {
      const response = await trpcRoute.GET(
        new Request(`${APP}/api/trpc/webhooks.formOptions`, { headers: { cookie: bad } }),
      );
      expect(response.status).toBe(401);
    }
  });
});

describe("unexpected errors", () => {
  /** A webhook whose stored secret no longer opens: reading it fails in a way no request can fix. */
  async function corruptWebhook() {
    const webhook = await newWebhook();
    await getDb().webhookSecret.updateMany({
      where: { webhookId: webhook.id },
      data: { value: "enc:v1:00000000:AAAA" },
    });
    return webhook;
  }

  it("REST answers the contract's 500 with a request id and no internals, and logs it with that id", async () => {
    const webhook = await corruptWebhook();
    const logged = captureLog("error");
    const response = await item.GET(
      new Request(`${APP}/api/v2/public/webhooks/facility/${webhook.id}`, {
        headers: { authorization: `Bearer ${tenant.client.token}` },
      }),
      { params: Promise.resolve({ webhookId: webhook.id }) },
    );
    const body = await response.json();
    expect(response.status).toBe(500);
    expect(body).toEqual({
      message: "Internal Server Error",
      statusCode: 500,
      requestId: expect.any(String),
    });
    expect(logged.map((line) => line.requestId)).toEqual([body.requestId]);
    expect(logged[0]?.text).toContain("sealed with key 00000000");
    await getDb().webhook.delete({ where: { id: webhook.id } });
  });

  it("tRPC answers a generic message with the request id, and logs the real error with it", async () => {
    const webhook = await corruptWebhook();
    const logged = captureLog("error");
    const response = await trpcRoute.GET(
      new Request(
        `${APP}/api/trpc/webhooks.byId?input=${encodeURIComponent(JSON.stringify({ id: webhook.id }))}`,
        {
          headers: { cookie },
        },
      ),
    );
    const { error } = await response.json();
    expect(response.status).toBe(500);
    expect(error.message).not.toMatch(/sealed|key|enc:v1/);
    expect(error.message).toContain("Try again");
    expect(error.data.requestId).toEqual(expect.any(String));
    expect(logged.map((line) => line.requestId)).toEqual([error.data.requestId]);
    expect(logged[0]?.text).toContain("sealed with key 00000000");
    await getDb().webhook.delete({ where: { id: webhook.id } });
  });
});

describe("the session cookie over HTTPS", () => {
  it("is Secure and __Host- prefixed when APP_URL is https, whatever the proxy says", () => {
    for (const headers of [new Headers(), new Headers({ "x-forwarded-proto": "http" })]) {
      expect(sessionCookieName(headers)).toBe("__Host-session");
      expect(sessionCookieOptions(headers, new Date())).toMatchObject({
        secure: true,
        httpOnly: true,
        path: "/",
      });
    }
  });
});
