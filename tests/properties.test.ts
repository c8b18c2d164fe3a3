/**
 * Property-based tests (fast-check): generated bodies, headers, ids and query strings — valid,
 * nearly valid and hostile — against every REST operation and the tRPC procedures. Whatever comes
 * in: never a 5xx, always the contract's envelope, a refused request changes nothing, an accepted
 * one stores exactly what it answers, and one tenant never touches another's data.
 *
 * `npm test` runs a fixed seed; `npm run fuzz` runs longer with a random seed, which it prints
 * (FUZZ_SEED=<seed> FUZZ_RUNS=<n> replays one).
 */
// Thousands of requests from one client: the rate limit (tested in limits.test.ts) is off here.
process.env.API_RATE_LIMIT_PER_MINUTE = "0";

import v8 from "node:v8";
import vm from "node:vm";
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as historyRoute from "../app/api/v2/public/webhooks/facility/[webhookId]/history/route";
import * as item from "../app/api/v2/public/webhooks/facility/[webhookId]/route";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import * as logsRoute from "../app/api/v2/public/webhooks/logs/route";
import * as asset from "../app/docs/api/assets/[file]/route";
import { signIn } from "../server/auth/sessions";
import { createContextInner } from "../server/trpc/init";
import { createCaller } from "../server/trpc/root";
import { WEBHOOK_EVENTS, WEBHOOK_FIELDS } from "../server/webhooks/webhook-rules";
import { createTenant, type Tenant } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true };

const BASE = "http://localhost/api/v2/public/webhooks/facility";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes = {
  list: collection.GET as unknown as Handler,
  create: collection.POST as unknown as Handler,
  read: item.GET as unknown as Handler,
  patch: item.PATCH as unknown as Handler,
  remove: item.DELETE as unknown as Handler,
  history: historyRoute.GET as unknown as Handler,
  logs: logsRoute.GET as unknown as Handler,
};

async function call(
  handler: Handler,
  url: string,
  {
    method = "GET",
    token,
    body,
    headers = {},
    webhookId = "",
  }: {
    method?: string;
    token?: string;
    body?: string;
    headers?: Record<string, string>;
    webhookId?: string;
  },
) {
  const request = new Request(url, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      "content-type": "application/json",
      ...headers,
    },
    body,
  });
  const response = await handler(request, { params: Promise.resolve({ webhookId }) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer };
}

/** An answer's body: the contract's `{ data }` or its refusal envelope (`{}` when empty). */
type Answer = { data?: unknown; message?: unknown; statusCode?: number };
type Listed = { id: string } & Record<string, unknown>;
const dataOf = <T>(answer: Answer) => answer.data as T;

/** The contract's envelope for a refusal: its status, a message, the right `error` word. */
function expectEnvelope(status: number, body: Answer) {
  expect(status).toBeLessThan(500);
  if (status < 400) return;
  expect(body).toMatchObject({ statusCode: status });
  expect(typeof body.message === "string" || Array.isArray(body.message)).toBe(true);
}

const listOf = async (tenant: Tenant) =>
  dataOf<Listed[]>((await call(routes.list, BASE, { token: tenant.client.token })).body);

// --- generators ---------------------------------------------------------------------------------

const hostileValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constant("__proto__"),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }),
);
const validUrl = fc
  .tuple(
    fc.constantFrom("a", "hooks", "receiver-1"),
    fc.constantFrom("example.com", "example.org"),
    fc.webPath(),
  )
  .map(([sub, domain, path]) => `https://${sub}.${domain}${path}`);
const nearlyValidUrl = fc.oneof(
  validUrl.map((u) => u.replace("https://", "http://")),
  validUrl.map((u) => u.replace("https://", "https://user:pw@")),
  fc.constantFrom(
    "https://localhost/x",
    "https://no-tld/x",
    "https://a_b.example.com/",
    "https://example.com./x",
    "https://",
  ),
  fc.constant(`https://example.com/${"a".repeat(2100)}`),
);
const events = fc.subarray([...WEBHOOK_EVENTS], { minLength: 1, maxLength: 4 });
const secret = fc.string({
  minLength: 16,
  maxLength: 40,
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
});

function patchBody(tenant: Tenant) {
  const field = <T>(valid: fc.Arbitrary<T>, nearly: fc.Arbitrary<unknown>) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: valid }, nearly, hostileValue), { nil: undefined });
  return fc.record(
    {
      url: field(validUrl, nearlyValidUrl),
      events: field(events, fc.constantFrom([], ["shift.nope"], "shift.created")),
      facilities: field(fc.subarray(tenant.facilityIds), fc.constantFrom(["P-not-mine"], [5], "P-1")),
      secrets: field(
        fc.array(secret, { minLength: 1, maxLength: 2 }),
        fc.constantFrom([], ["short"], ["a".repeat(200)]),
      ),
    },
    { requiredKeys: [] },
  );
}

const rawBody = (tenant: Tenant) =>
  fc.oneof(
    { weight: 4, arbitrary: patchBody(tenant).map((b) => JSON.stringify(b)) },
    fc.string(),
    fc.json(),
    fc.constantFrom("", "null", "[]", "{", '{"url": "https://a.example.com"', "\u0000"),
  );

// --- properties ---------------------------------------------------------------------------------

/**
 * Values past every bound: integers JavaScript cannot hold exactly, lengths far past any limit,
 * deep nesting, huge collections, NUL and the names of Object.prototype's members.
 */
const EXTREME_TEXTS = [
  "9007199254740993",
  "99999999999999999999999",
  "-9007199254740993",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "0x10",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "\u0000",
  "a\u0000b",
  "\ud800",
];
const extremeText = fc.oneof(
  fc.constantFrom(...EXTREME_TEXTS),
  fc.integer({ min: 255, max: 300_000 }).map((n) => "x".repeat(n)),
  fc.nat({ max: 300_000 }).map((n) => `${"9".repeat(Math.min(n, 5_000))}`),
);
const extremeValue = fc.oneof(
  extremeText,
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -Number.MAX_VALUE, 1e308, 2 ** 64),
  fc.nat({ max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => `P-${i}`)),
  fc
    .integer({ min: 1, max: 2_000 })
    .map((depth) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown),
);

/** Heap in use after a full collection (V8's gc, exposed for this measurement). */
function heapAfterGc(): number {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
  return process.memoryUsage().heapUsed;
}

let alice: Tenant;
let bob: Tenant;
let webhookId: string;
let aliceSession: string;

beforeAll(async () => {
  alice = await createTenant(2);
  bob = await createTenant(1);
  const created = await call(routes.create, BASE, {
    method: "POST",
    token: alice.client.token,
    body: JSON.stringify({ url: "https://alice.example.com/hook", events: ["shift.created"] }),
  });
  webhookId = dataOf<Listed>(created.body).id;
  const session = await signIn({ email: alice.user.email, password: alice.password, address: "192.0.2.200" });
  if (!session.ok) throw new Error(session.error);
  aliceSession = session.token;
});

describe(`properties (seed ${SEED}, ${RUNS} runs each)`, () => {
  it("PATCH: never a 5xx; a refusal changes nothing; an acceptance stores exactly what it answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody(alice),
        fc.option(fc.oneof(fc.constant('"1"'), fc.string()), { nil: undefined }),
        async (body, ifMatch) => {
          const before = await listOf(alice);
          const answer = await call(routes.patch, `${BASE}/${webhookId}`, {
            method: "PATCH",
            token: alice.client.token,
            body,
            webhookId,
            headers: ifMatch === undefined ? {} : { "if-match": ifMatch },
          });
          expectEnvelope(answer.status, answer.body);
          const after = await listOf(alice);
          if (answer.status === 201) {
            const saved = dataOf<Listed>(answer.body);
            expect(after.find((w) => w.id === webhookId)).toEqual(saved);
            // Each field sent is stored as sent (`facilities: []` meaning every facility the caller has).
            const sent = body.trim() === "" ? {} : (JSON.parse(body) as Record<string, unknown>); // empty means {}
            for (const [field, value] of Object.entries(sent)) {
              if (!(WEBHOOK_FIELDS as readonly string[]).includes(field)) continue;
              const empty = field === "facilities" && Array.isArray(value) && value.length === 0;
              expect(saved[field]).toEqual(empty ? [...alice.facilityIds].sort() : value);
            }
          } else {
            expect([400, 403, 412, 413]).toContain(answer.status);
            expect(after).toEqual(before);
          }
        },
      ),
      settings,
    );
  }, 120_000);

  it("POST: never a 5xx; a refusal creates nothing; an acceptance lists exactly what it answers", async () => {
    await fc.assert(
      fc.asyncProperty(rawBody(bob), async (body) => {
        const before = await listOf(bob);
        const answer = await call(routes.create, BASE, { method: "POST", token: bob.client.token, body });
        expectEnvelope(answer.status, answer.body);
        const after = await listOf(bob);
        if (answer.status === 201) {
          const created = dataOf<Listed>(answer.body);
          expect(after.at(-1)).toEqual(created);
          await call(routes.remove, `${BASE}/${created.id}`, {
            method: "DELETE",
            token: bob.client.token,
            webhookId: created.id,
          });
        } else expect(after).toEqual(before);
      }),
      settings,
    );
  }, 120_000);

  it("another tenant's token never reads, changes or deletes the webhook, whatever the id or body", async () => {
    const ids = fc.oneof(
      fc.constant(webhookId),
      fc.uuid(),
      fc.string(),
      fc.constantFrom("%", "..", "%E0%A4%A"),
    );
    await fc.assert(
      fc.asyncProperty(
        ids,
        rawBody(bob),
        fc.constantFrom("read", "patch", "remove", "history") as fc.Arbitrary<
          "read" | "patch" | "remove" | "history"
        >,
        async (id, body, operation) => {
          const before = await listOf(alice);
          const method = { read: "GET", patch: "PATCH", remove: "DELETE", history: "GET" }[operation];
          const answer = await call(routes[operation], `${BASE}/x`, {
            method,
            token: bob.client.token,
            body: method === "PATCH" ? body : undefined,
            webhookId: id,
          });
          expectEnvelope(answer.status, answer.body);
          if (id === webhookId) expect([400, 404, 413]).toContain(answer.status);
          expect(await listOf(alice)).toEqual(before);
        },
      ),
      settings,
    );
  }, 120_000);

  it("query strings of the log and history APIs answer 200 or the contract's 400", async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.constantFrom("-1", "101", "1e3", "ASC", "2026-01-01"),
    );
    const query = fc.dictionary(
      fc.constantFrom(
        "limit",
        "offset",
        "eventType",
        "startDate",
        "endDate",
        "sortDirection",
        "facilitiesIds",
        "x",
      ),
      value,
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (params, history) => {
        const search = new URLSearchParams(params).toString();
        const answer = history
          ? await call(routes.history, `${BASE}/${webhookId}/history?${search}`, {
              token: alice.client.token,
              webhookId,
            })
          : await call(routes.logs, `http://localhost/api/v2/public/webhooks/logs?${search}`, {
              token: alice.client.token,
            });
        expectEnvelope(answer.status, answer.body);
        expect([200, 400]).toContain(answer.status);
      }),
      settings,
    );
  }, 120_000);

  it("tRPC: whatever the input, an answer or a client error, and a refusal changes nothing", async () => {
    const caller = createCaller(createContextInner({ principal: alice.userPrincipal }));
    const newTarget = async () =>
      (
        await caller.webhooks.create({
          clientId: alice.client.clientId,
          url: "https://t.example.com/x",
          events: ["all"],
        })
      ).id;
    let target = await newTarget();
    const TARGET = "(the target webhook)";
    const inputs = fc.record(
      {
        id: fc.oneof(fc.constant(TARGET), fc.string()),
        version: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer(), hostileValue),
      },
      { requiredKeys: [] },
    );
    const procedures = fc.constantFrom("update", "delete", "byId", "history", "restore") as fc.Arbitrary<
      "update" | "delete" | "byId" | "history" | "restore"
    >;
    await fc.assert(
      fc.asyncProperty(inputs, patchBody(alice), procedures, async ({ id, ...rest }, body, procedure) => {
        const before = await listOf(alice);
        const input = {
          ...body,
          ...rest,
          id: id === TARGET ? target : id,
          changeId: "x",
          limit: 10,
        } as never;
        const error = await (caller.webhooks[procedure] as (input: never) => Promise<unknown>)(input).then(
          () => null,
          (e: unknown) => e,
        );
        if (error) {
          expect(error).toBeInstanceOf(TRPCError);
          expect((error as TRPCError).code).not.toBe("INTERNAL_SERVER_ERROR");
          expect(await listOf(alice)).toEqual(before);
        } else if (procedure === "delete") {
          const remaining = await listOf(alice);
          expect(remaining.some((w) => w.id === target)).toBe(false);
          target = await newTarget();
        }
      }),
      settings,
    );
  }, 120_000);

  it("extreme values at every door: never a 5xx, always the envelope, and the process keeps none of them", async () => {
    const DOORS = [
      "rest-query",
      "rest-body",
      "rest-header",
      "rest-path",
      "trpc-body",
      "trpc-query",
      "trpc-path",
      "sign-in",
      "docs-asset",
    ];
    const doors = fc.constantFrom(...DOORS);
    // Every door meets every named extreme on every run, then the generated ones.
    const examples = DOORS.flatMap((door) =>
      EXTREME_TEXTS.map((text): [string, string, unknown] => [door, text, text]),
    );
    const before = heapAfterGc();
    await fc.assert(
      fc.asyncProperty(doors, extremeText, extremeValue, async (door, text, value) => {
        const status = await throughDoor(door, text, value);
        expect(status, door).toBeLessThan(500);
      }),
      { ...settings, examples },
    );
    // What the doors were sent (up to 300 kB a case) is garbage now, whatever the number of runs.
    expect(heapAfterGc() - before).toBeLessThan(64 * 1024 * 1024);
  }, 300_000);
});

/** Sends extreme values through one entry point; answers the HTTP status (a refused sign-in: 400). */
async function throughDoor(door: string, text: string, value: unknown): Promise<number> {
  const token = alice.client.token;
  const trpc = (path: string, init: RequestInit = {}) =>
    trpcRoute.POST(
      new Request(`http://localhost/api/trpc/${path}`, {
        ...init,
        headers: {
          host: "localhost",
          origin: "http://localhost",
          cookie: `session=${aliceSession}`,
          ...init.headers,
        },
      }),
    );
  switch (door) {
    case "rest-query": {
      const search = new URLSearchParams({ offset: text.slice(0, 4000), facilitiesIds: text.slice(0, 4000) });
      const answer = await call(routes.logs, `http://localhost/api/v2/public/webhooks/logs?${search}`, {
        token,
      });
      expectEnvelope(answer.status, answer.body);
      return answer.status;
    }
    case "rest-body": {
      const body = JSON.stringify({ url: value, events: value, facilities: value, secrets: value });
      const answer = await call(routes.patch, `${BASE}/${webhookId}`, {
        method: "PATCH",
        token,
        body,
        webhookId,
      });
      expectEnvelope(answer.status, answer.body);
      return answer.status;
    }
    case "rest-header": {
      const header = text.slice(0, 8000).replace(/[^\x20-\x7e]/g, "x");
      const answer = await call(routes.patch, `${BASE}/${webhookId}`, {
        method: "PATCH",
        token,
        body: "{}",
        webhookId,
        headers: { "if-match": header, "x-request-id": header, "content-length": header.slice(0, 30) },
      });
      expectEnvelope(answer.status, answer.body);
      const unauthorized = await call(routes.list, BASE, { token: header });
      expectEnvelope(unauthorized.status, unauthorized.body);
      return Math.max(answer.status, unauthorized.status);
    }
    case "rest-path": {
      const answer = await call(routes.history, `${BASE}/x/history`, { token, webhookId: text });
      expectEnvelope(answer.status, answer.body);
      return answer.status;
    }
    case "trpc-body": {
      const response = await trpc("webhooks.update", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: webhookId, version: value, url: value, facilities: value }),
      });
      await response.text();
      return response.status;
    }
    case "trpc-query": {
      const input = encodeURIComponent(JSON.stringify({ facilityId: value, limit: value, cursor: text }));
      const response = await trpcRoute.GET(
        new Request(`http://localhost/api/trpc/webhooks.list?input=${input.slice(0, 12_000)}`, {
          headers: { cookie: `session=${aliceSession}` },
        }),
      );
      await response.text();
      return response.status;
    }
    case "trpc-path": {
      const response = await trpc(`${encodeURIComponent(text.slice(0, 2000))},webhooks.${text.slice(0, 50)}`);
      await response.text();
      return response.status;
    }
    case "sign-in": {
      const result = await signIn({ email: text, password: text.slice(0, 2000), address: "198.18.0.1" });
      expect(result.ok).toBe(false);
      return 400;
    }
    default: {
      const response = await asset.GET(new Request(`http://localhost/docs/api/assets/x`), {
        params: Promise.resolve({ file: text }),
      });
      return response.status;
    }
  }
}
