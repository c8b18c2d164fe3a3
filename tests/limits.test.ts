/**
 * Bounds that keep one client from hurting the others, and the smaller refusals: the webhook cap,
 * the per-client and per-user rate limits, a list of any length, URLs with credentials, and where demo data goes.
 */
process.env.MAX_WEBHOOKS_PER_CLIENT = "3";
process.env.API_RATE_LIMIT_PER_MINUTE = "40";
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { seedDemoDataIfEmpty } from "../server/accounts/demo";
import { signIn } from "../server/auth/sessions";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { Prisma } from "../server/generated/sqlite/client";
import { createTenant, type Tenant } from "./helpers";
import { startReceiver } from "./https-receiver";

const API = "http://localhost/api/v2/public/webhooks/facility";
const handlers = { GET: collection.GET, POST: collection.POST };

async function call(method: "GET" | "POST", token: string, body?: unknown) {
  const response = await handlers[method](
    new Request(API, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, headers: response.headers, body: await response.json() };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
});
afterAll(() => receiver.close());

describe("how many webhooks a client may have", () => {
  it("refuses a webhook past MAX_WEBHOOKS_PER_CLIENT with a clear 400, and creates nothing", async () => {
    const tenant = await createTenant(1);
    const body = { url: "https://receiver.example/x", events: ["shift.created"] };
    for (let i = 0; i < 3; i++) expect((await call("POST", tenant.client.token, body)).status).toBe(201);
    const refused = await call("POST", tenant.client.token, body);
    expect(refused).toMatchObject({
      status: 400,
      body: {
        message: ["a client may have at most 3 webhooks: delete one first"],
        error: "Bad Request",
        statusCode: 400,
      },
    });
    expect((await call("GET", tenant.client.token)).body.data).toHaveLength(3);
  });

  it("lists every webhook of a client that has 9,000 (stored before the cap), in bounded queries", async () => {
    const tenant = await createTenant(1);
    const ids = Array.from({ length: 9000 }, () => randomUUID());
    const db = getDb();
    for (let start = 0; start < ids.length; start += 500) {
      const chunk = ids.slice(start, start + 500);
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + start + i);
      await db.$executeRaw`INSERT INTO "Webhook" ("id", "url", "clientId", "createdAt", "updatedAt") VALUES ${Prisma.join(
        chunk.map(
          (id, i) =>
            Prisma.sql`(${id}, ${`https://receiver.example/${id}`}, ${tenant.client.clientId}, ${at(i)}, ${at(i)})`,
        ),
      )}`;
      await db.$executeRaw`INSERT INTO "WebhookEvent" ("webhookId", "event", "position") VALUES ${Prisma.join(
        chunk.map((id) => Prisma.sql`(${id}, 'shift.created', 0)`),
      )}`;
    }
    const listed = await call("GET", tenant.client.token);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((w: { id: string }) => w.id)).toEqual(ids);
  }, 60_000);
});

describe("the per-client rate limit", () => {
  it("answers 429 in the contract's envelope with Retry-After past the limit; other clients are unaffected", async () => {
    const [busy, quiet] = [await createTenant(1), await createTenant(1)];
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await call("GET", busy.client.token)).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await call("GET", busy.client.token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      message: "Too Many Requests",
      error: "Too Many Requests",
      statusCode: 429,
    });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await call("GET", quiet.client.token)).status).toBe(200);
  });
});

describe("the per-user rate limit on tRPC", () => {
  it("counts each procedure a signed-in user runs, batched or not, and refuses past the limit with 429", async () => {
    const [busy, quiet] = [await createTenant(1), await createTenant(1)];
    const session = async (tenant: Tenant) => {
      const signedIn = await signIn({ email: tenant.user.email, password: tenant.password });
      if (!signedIn.ok) throw new Error(signedIn.error);
      return `session=${signedIn.token}`;
    };
    const list = (cookie: string, procedures: number) =>
      trpcRoute.GET(
        new Request(
          `http://localhost/api/trpc/${Array(procedures).fill("clients.list").join(",")}?batch=1&input={}`,
          { headers: { cookie } },
        ),
      );
    const busyCookie = await session(busy);
    for (let i = 0; i < 4; i++) expect((await list(busyCookie, 10)).status).toBe(200);
    const limited = await list(busyCookie, 1);
    expect(limited.status).toBe(429);
    expect(JSON.stringify(await limited.json())).toContain("TOO_MANY_REQUESTS");
    expect((await list(await session(quiet), 1)).status).toBe(200);
  });
});

describe("URLs carrying credentials", () => {
  it("are refused on save with a clear message", async () => {
    const tenant = await createTenant(1);
    const refused = await call("POST", tenant.client.token, {
      url: "https://user:hunter2@receiver.example/hook",
      events: ["shift.created"],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(["url must not contain credentials"]);
    expect((await call("GET", tenant.client.token)).body.data).toEqual([]);
  });

  it("stored before that rule, never reach a delivery's stored URL or error text", async () => {
    const tenant: Tenant = await createTenant(1);
    const { body } = await call("POST", tenant.client.token, {
      url: receiver.url("/fail"),
      events: ["shift.created"],
      facilities: tenant.facilityIds,
    });
    const withCredentials = receiver.url("/fail").replace("https://", "https://user:hunter2@");
    await getDb().webhook.update({ where: { id: body.data.id }, data: { url: withCredentials } });
    const { eventId } = await publishEvent({
      eventType: "shift.created",
      facilityId: tenant.facilityIds[0],
      data: { shiftId: "s-1" },
    });
    await runDueDeliveries();
    const delivery = await getDb().delivery.findFirstOrThrow({
      where: { eventId },
      include: { attemptRows: true },
    });
    expect(delivery.attemptRows).toHaveLength(1);
    const stored = JSON.stringify(delivery, (_key, value) =>
      typeof value === "bigint" ? String(value) : value,
    );
    expect(stored).not.toContain("hunter2");
    expect(stored).not.toContain("user:");
  });
});

describe("demo data", () => {
  it("is never seeded into a configured database unless DEMO_DATA=1", async () => {
    await getDb().webhook.deleteMany(); // an empty product database: no users yet
    await getDb().user.deleteMany();
    expect(process.env.DATABASE_URL).toBeTruthy();
    expect(await seedDemoDataIfEmpty()).toBeNull();
    expect(await getDb().user.count()).toBe(0);
  });
});
