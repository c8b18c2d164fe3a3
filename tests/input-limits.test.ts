/**
 * Every input bounded at the door: numbers past 2^53, object-prototype names as paths, oversized
 * emails at sign-in and oversized tRPC bodies each get a clear 4xx (never a 500), and none of them
 * can make the process keep what it was sent.
 */
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as historyRoute from "../app/api/v2/public/webhooks/facility/[webhookId]/history/route";
import * as logsRoute from "../app/api/v2/public/webhooks/logs/route";
import * as asset from "../app/docs/api/assets/[file]/route";
import { signIn } from "../server/auth/sessions";
import { createWebhook } from "../server/webhooks/webhook.service";
import { createTenant, startAppServer, type Tenant } from "./helpers";

const APP = "http://localhost";
const built = fs.existsSync(path.join(import.meta.dirname, "../.next/BUILD_ID"));
let tenant: Tenant;
let webhookId: string;
let cookie: string;

beforeAll(async () => {
  tenant = await createTenant(1);
  webhookId = (
    await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: "https://receiver.example/a", events: ["shift.created"] },
    })
  ).id;
  const session = await signIn({ email: tenant.user.email, password: tenant.password });
  if (!session.ok) throw new Error(session.error);
  cookie = `session=${session.token}`;
});

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const get = (handler: unknown, url: string, params: Record<string, string> = {}) =>
  (handler as Handler)(new Request(url, { headers: { authorization: `Bearer ${tenant.client.token}` } }), {
    params: Promise.resolve(params),
  });

describe("integers past what JavaScript holds exactly", () => {
  const history = (offset: string) =>
    get(historyRoute.GET, `${APP}/api/v2/public/webhooks/facility/${webhookId}/history?offset=${offset}`, {
      webhookId,
    });
  const logs = (offset: string) => get(logsRoute.GET, `${APP}/api/v2/public/webhooks/logs?offset=${offset}`);

  it.each([["99999999999999999999999"], ["9007199254740993"]])(
    "offset=%s is refused with the contract's 400 on the history and the log API",
    async (offset) => {
      for (const response of [await history(offset), await logs(offset)]) {
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({
          message: ["offset must not be greater than 9007199254740991"],
          error: "Bad Request",
          statusCode: 400,
        });
      }
    },
  );

  it("the largest exact offset still answers an empty page", async () => {
    const response = await history("9007199254740991");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: [] });
  });
});

describe("the API docs' assets", () => {
  it.each([["constructor"], ["__proto__"], ["toString"], ["hasOwnProperty"]])(
    "/docs/api/assets/%s is a 404, not a 500",
    async (file) => {
      const response = await get(asset.GET, `${APP}/docs/api/assets/${file}`, { file });
      expect(response.status).toBe(404);
    },
  );
});

/** Heap in use after a full collection (V8's gc, exposed for this measurement). */
function heapAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed;
}

describe("sign-in with an email no mailbox can have", () => {
  it("an email longer than 254 characters is a wrong sign-in, and nothing of it is kept", async () => {
    const before = heapAfterGc();
    for (let attempt = 0; attempt < 100; attempt++) {
      const email = `${String(attempt).padStart(3, "0")}${"x".repeat(900_000)}@example.com`;
      const result = await signIn({ email, password: "wrong", address: `198.51.100.${attempt}` });
      expect(result).toEqual({ ok: false, error: "Invalid email or password" });
    }
    // 100 attempts of 900 kB each would keep 90 MB if any part of them were remembered.
    expect(heapAfterGc() - before).toBeLessThan(20 * 1024 * 1024);
  });
});

describe("tRPC's own limits", () => {
  const post = (procedure: string, body: string) =>
    trpcRoute.POST(
      new Request(`${APP}/api/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": "application/json", host: "localhost", origin: APP, cookie },
        body,
      }),
    );

  it.runIf(built)(
    "refuses a body declared over 100 kB with 413 through the server too",
    async () => {
      const server = await startAppServer();
      try {
        const body = JSON.stringify({
          id: webhookId,
          version: 1,
          url: `https://r.example/${"a".repeat(150_000)}`,
        });
        const response = await fetch(`${server.url}/api/trpc/webhooks.update`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: server.url, cookie },
          body,
        });
        expect(response.status).toBe(413);
      } finally {
        server.process.kill();
      }
    },
    60_000,
  );

  it("refuses a body over 100 kB with 413 before parsing it, and changes nothing", async () => {
    const body = JSON.stringify({
      id: webhookId,
      version: 1,
      url: `https://r.example/${"a".repeat(200_000)}`,
    });
    const response = await post("webhooks.update", body);
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toContain("request body must not be larger than 100 kB");
  });
});
