import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { addClient } from "../server/accounts/accounts.service";
import { getDb } from "../server/db";
import { AppError } from "../server/errors";
import { createContextInner } from "../server/trpc/init";
import { createCaller } from "../server/trpc/root";
import type { UpdateWebhookInput } from "../server/webhooks/webhook.schemas";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  listWebhooksPage,
  updateWebhook,
} from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";

const SECRET_A = "a".repeat(32);
const SECRET_B = "b".repeat(32);

let alice: Tenant;
let bob: Tenant;

beforeAll(async () => {
  alice = await createTenant(3);
  bob = await createTenant(1);
});

const aliceWebhook = (facilities: string[] = []) =>
  createWebhook({
    principal: alice.clientPrincipal,
    input: { url: "https://alice.example/hook", events: ["shift.created"], facilities },
  });

async function expectAppError(promise: Promise<unknown>, code: AppError["code"]) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe("create", () => {
  it("defaults facilities to every facility the caller can access and generates one secret", async () => {
    const webhook = await aliceWebhook();
    expect(webhook.facilities).toEqual(alice.facilityIds);
    expect(webhook.clientId).toBe(alice.client.clientId);
    expect(webhook.secrets).toHaveLength(1);
    expect(webhook.secrets[0]).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("refuses a facility the caller cannot access, and one that does not exist, creating nothing", async () => {
    const before = await listWebhooks({ principal: alice.clientPrincipal });
    await expectAppError(aliceWebhook([alice.facilityIds[0] ?? "", bob.facilityIds[0] ?? ""]), "FORBIDDEN");
    await expectAppError(aliceWebhook(["P-does-not-exist"]), "FORBIDDEN");
    expect(await listWebhooks({ principal: alice.clientPrincipal })).toEqual(before);
  });

  it("lets a signed-in user create only for a client they own", async () => {
    const input = { url: "https://alice.example/ui", events: ["all" as const] };
    const created = await createWebhook({
      principal: alice.userPrincipal,
      clientId: alice.client.clientId,
      input,
    });
    expect(created.clientId).toBe(alice.client.clientId);
    await expectAppError(
      createWebhook({ principal: alice.userPrincipal, clientId: bob.client.clientId, input }),
      "NOT_FOUND",
    );
  });
});

describe("tenant isolation", () => {
  it("shows a client only its own webhooks, and a user those of every client they own", async () => {
    const second = await addClient({ name: "Second", ownerEmail: alice.user.email });
    const secondPrincipal = { userId: alice.user.id, clientId: second.clientId };
    const own = await createWebhook({
      principal: secondPrincipal,
      input: { url: "https://alice.example/second", events: ["all"] },
    });
    const first = await aliceWebhook();

    const secondSees = await listWebhooks({ principal: secondPrincipal });
    expect(secondSees.map((w) => w.id)).toEqual([own.id]);
    const firstSees = (await listWebhooks({ principal: alice.clientPrincipal })).map((w) => w.id);
    expect(firstSees).toContain(first.id);
    expect(firstSees).not.toContain(own.id);
    const userSees = (await listWebhooks({ principal: alice.userPrincipal })).map((w) => w.id);
    expect(userSees).toEqual(expect.arrayContaining([own.id, first.id]));
    expect(await listWebhooks({ principal: bob.userPrincipal })).toEqual([]);
  });

  it("answers not found for another tenant's webhook on read, update and delete, changing nothing", async () => {
    const webhook = await aliceWebhook();
    for (const principal of [bob.clientPrincipal, bob.userPrincipal]) {
      await expectAppError(getWebhook({ principal, webhookId: webhook.id }), "NOT_FOUND");
      await expectAppError(
        updateWebhook({ principal, webhookId: webhook.id, input: { url: "https://bob.example" } }),
        "NOT_FOUND",
      );
      await expectAppError(deleteWebhook({ principal, webhookId: webhook.id }), "NOT_FOUND");
    }
    expect(await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id })).toEqual(webhook);
  });

  it("answers not found for an id that is not a UUID", async () => {
    await expectAppError(
      getWebhook({ principal: alice.clientPrincipal, webhookId: "not-a-uuid" }),
      "NOT_FOUND",
    );
  });
});

describe("update", () => {
  it("changes only the fields given and keeps their order", async () => {
    const webhook = await aliceWebhook();
    const updated = await updateWebhook({
      principal: alice.clientPrincipal,
      webhookId: webhook.id,
      input: { events: ["shift.report.created", "shift.request.created"], secrets: [SECRET_A, SECRET_B] },
    });
    expect(updated).toEqual({
      ...webhook,
      events: ["shift.report.created", "shift.request.created"],
      secrets: [SECRET_A, SECRET_B],
      version: webhook.version + 1,
    });
    const unchanged = await updateWebhook({
      principal: alice.clientPrincipal,
      webhookId: webhook.id,
      input: {},
    });
    expect(unchanged).toEqual(updated);
  });

  it("stores lists that keep some entries in a new order, as read back afterwards", async () => {
    const webhook = await aliceWebhook();
    const first: UpdateWebhookInput = {
      events: ["shift.created", "shift.cancelled"],
      secrets: [SECRET_A, SECRET_B],
    };
    const reordered: UpdateWebhookInput = {
      events: ["shift.cancelled", "shift.created"],
      secrets: [SECRET_B, SECRET_A],
    };
    for (const input of [first, reordered]) {
      await updateWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id, input });
    }
    expect(await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id })).toMatchObject({
      ...reordered,
      version: webhook.version + 2,
    });
  });

  it("treats facilities [] as every facility the caller can access", async () => {
    const webhook = await aliceWebhook([alice.facilityIds[1] ?? ""]);
    const updated = await updateWebhook({
      principal: alice.clientPrincipal,
      webhookId: webhook.id,
      input: { facilities: [] },
    });
    expect(updated.facilities).toEqual(alice.facilityIds);
  });

  it("changes nothing at all when one facility is refused", async () => {
    const webhook = await aliceWebhook();
    await expectAppError(
      updateWebhook({
        principal: alice.clientPrincipal,
        webhookId: webhook.id,
        input: { url: "https://changed.example", events: ["all"], facilities: [bob.facilityIds[0] ?? ""] },
      }),
      "FORBIDDEN",
    );
    expect(await getWebhook({ principal: alice.clientPrincipal, webhookId: webhook.id })).toEqual(webhook);
  });
});

describe("tRPC adapter", () => {
  const callerFor = (principal: Tenant["userPrincipal"] | null) =>
    createCaller(createContextInner({ principal }));

  async function trpcCode(promise: Promise<unknown>) {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    return (error as TRPCError).code;
  }

  it("refuses callers who are not signed in", async () => {
    expect(await trpcCode(callerFor(null).webhooks.list({}))).toBe("UNAUTHORIZED");
  });

  it("refuses a list cursor the list did not hand out, saying so, rather than failing", async () => {
    const asAlice = callerFor(alice.userPrincipal);
    const refusal = (cursor: string) => asAlice.webhooks.list({ cursor }).catch((e: unknown) => e);
    const someId = "3f0c2a1e-9b7d-4c1a-8e2f-5a6b7c8d9e0f";
    // An id alone (the old cursor), a date that does not exist, and plain junk.
    for (const cursor of [someId, `2026-13-01T00:00:00.000Z_${someId}`, "'; DROP TABLE x; --"]) {
      const error = await refusal(cursor);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe("BAD_REQUEST");
      expect((error as TRPCError).message).toContain("cursor must be one the previous page returned");
    }
  });

  it("maps the service's errors to tRPC codes", async () => {
    const webhook = await aliceWebhook();
    const asBob = callerFor(bob.userPrincipal);
    const version = webhook.version;
    expect(
      await trpcCode(asBob.webhooks.update({ id: webhook.id, version, url: "https://bob.example" })),
    ).toBe("NOT_FOUND");
    const asAlice = callerFor(alice.userPrincipal);
    expect(
      await trpcCode(asAlice.webhooks.update({ id: webhook.id, version, facilities: bob.facilityIds })),
    ).toBe("FORBIDDEN");
    expect(
      await trpcCode(asAlice.webhooks.update({ id: webhook.id, version, url: "http://insecure.example" })),
    ).toBe("BAD_REQUEST");
    expect(
      await trpcCode(
        asAlice.webhooks.update({ id: webhook.id, version: version + 1, url: "https://a.example" }),
      ),
    ).toBe("PRECONDITION_FAILED");
  });

  it("updates through the same schema and service as REST", async () => {
    const webhook = await aliceWebhook();
    const updated = await callerFor(alice.userPrincipal).webhooks.update({
      id: webhook.id,
      version: webhook.version,
      url: "https://alice.example/new",
      events: ["shift.cancelled"],
    });
    expect(updated).toEqual({
      ...webhook,
      url: "https://alice.example/new",
      events: ["shift.cancelled"],
      version: webhook.version + 1,
    });
  });
});

describe("admin list pages", () => {
  it("pages through every webhook once, in creation order, and filters by facility and event", async () => {
    const carol = await createTenant(2);
    const [first, second] = carol.facilityIds as [string, string];
    const make = (events: ("shift.created" | "shift.cancelled" | "all")[], facilities: string[]) =>
      createWebhook({
        principal: carol.clientPrincipal,
        input: { url: "https://carol.example", events, facilities },
      });
    const created = [
      await make(["shift.created"], [first]),
      await make(["shift.cancelled"], [second]),
      await make(["all"], [second]),
      await make(["shift.created"], [second]),
      await make(["shift.cancelled"], [first]),
    ];

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listWebhooksPage({ principal: carol.userPrincipal, input: { limit: 2, cursor } });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(created.map((w) => w.id));

    const ids = async (filter: { facilityId?: string; event?: "shift.created" }) =>
      (await listWebhooksPage({ principal: carol.userPrincipal, input: { limit: 25, ...filter } })).items.map(
        (w) => w.id,
      );
    expect(await ids({ facilityId: first })).toEqual([created[0]?.id, created[4]?.id]);
    // `all` receives shift.created too.
    expect(await ids({ event: "shift.created" })).toEqual([created[0]?.id, created[2]?.id, created[3]?.id]);
    expect(await ids({ facilityId: second, event: "shift.created" })).toEqual([
      created[2]?.id,
      created[3]?.id,
    ]);
    expect(
      await listWebhooksPage({ principal: alice.userPrincipal, input: { limit: 25, facilityId: first } }),
    ).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it("follows on from where a page ended even when that page's last webhook was deleted since", async () => {
    const dave = await createTenant(1);
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await createWebhook({
          principal: dave.clientPrincipal,
          input: { url: `https://dave.example/${i}`, events: ["shift.created"] },
        }),
      );
    }
    const first = await listWebhooksPage({ principal: dave.userPrincipal, input: { limit: 2 } });
    const last = first.items.at(-1);
    if (!last || !first.nextCursor) throw new Error("the first page should end with more to come");
    await deleteWebhook({ principal: dave.clientPrincipal, webhookId: last.id });

    const next = await listWebhooksPage({
      principal: dave.userPrincipal,
      input: { limit: 2, cursor: first.nextCursor },
    });
    expect(next.items.map((w) => w.id)).toEqual([created[2]?.id, created[3]?.id]);
  });

  it("filters by health: failing, disabled (failing or not) and healthy, combined with the other filters", async () => {
    const erin = await createTenant(2);
    const [first, second] = erin.facilityIds as [string, string];
    const [healthy, failing, disabled, elsewhere] = await Promise.all(
      [first, first, first, second].map((facility, i) =>
        createWebhook({
          principal: erin.clientPrincipal,
          input: { url: `https://erin.example/${i}`, events: ["shift.created"], facilities: [facility] },
        }),
      ),
    );
    const since = new Date("2026-12-01T08:00:00Z");
    await getDb().webhook.update({
      where: { id: failing?.id },
      data: { failingSince: since, failureStreak: 3 },
    });
    await getDb().webhook.update({
      where: { id: disabled?.id },
      data: { failingSince: since, failureStreak: 90, disabledAt: new Date(), disabledReason: "410 Gone" },
    });
    const ids = async (input: { health: "healthy" | "failing" | "disabled"; facilityId?: string }) =>
      (await listWebhooksPage({ principal: erin.userPrincipal, input: { limit: 25, ...input } })).items
        .map((w) => w.id)
        .sort();
    expect(await ids({ health: "failing" })).toEqual([failing?.id]);
    expect(await ids({ health: "disabled" })).toEqual([disabled?.id]);
    expect(await ids({ health: "healthy" })).toEqual([healthy?.id, elsewhere?.id].sort());
    expect(await ids({ health: "healthy", facilityId: first })).toEqual([healthy?.id]);
  });
});
