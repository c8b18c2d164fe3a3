/**
 * Webhooks: list, read, create, update, delete — with authorization. Knows nothing of HTTP or
 * tRPC; the REST handlers and the tRPC router are thin adapters over these functions.
 */

import type { z } from "zod";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { AppError, webhookNotFound } from "../errors";
import type { Prisma } from "../generated/sqlite/client";
import {
  type CreateWebhookInput,
  type listWebhooksInput,
  type UpdateWebhookInput,
  type WebhookEventName,
  webhookId as webhookIdSchema,
} from "./webhook.schemas";
import { generateSecret } from "./webhook-secret";

export type Webhook = {
  id: string;
  url: string;
  events: WebhookEventName[];
  clientId: string;
  facilities: string[];
  secrets: string[];
};

/** The client or a transaction: the checks below run on either. */
type Tx = Prisma.TransactionClient;

/** Prisma's "record to update/delete not found" (P2025), e.g. a webhook deleted since it was checked. */
const notFoundAs =
  (error: () => AppError) =>
  (cause: unknown): never => {
    throw (cause as { code?: string }).code === "P2025" ? error() : cause;
  };

const byPosition = { orderBy: { position: "asc" } } as const;
const webhookInclude = { events: byPosition, facilities: byPosition, secrets: byPosition } as const;
type WebhookRow = Prisma.WebhookGetPayload<{ include: typeof webhookInclude }>;

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: row.events.map((e) => e.event as WebhookEventName),
  clientId: row.clientId,
  facilities: row.facilities.map((f) => f.facilityId),
  secrets: row.secrets.map((s) => s.value),
});

/** A client sees its own webhooks; a signed-in user sees those of every client they own. */
const visibleTo = (principal: Principal): Prisma.WebhookWhereInput =>
  principal.clientId ? { clientId: principal.clientId } : { client: { ownerId: principal.userId } };

const positioned = <K extends string>(key: K, values: string[]) =>
  values.map((value, position) => ({ [key]: value, position }) as Record<K, string> & { position: number });

async function accessibleFacilityIds(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx.facilityAccess.findMany({
    where: { userId },
    select: { facilityId: true },
    orderBy: { facilityId: "asc" },
  });
  return rows.map((r) => r.facilityId);
}

/** `[]` means every facility the user can access; any other id must be one of them (403 otherwise). */
async function resolveFacilities(tx: Tx, userId: string, requested: string[]): Promise<string[]> {
  if (requested.length === 0) return accessibleFacilityIds(tx, userId);
  const granted = await tx.facilityAccess.findMany({
    where: { userId, facilityId: { in: requested } },
    select: { facilityId: true },
  });
  const refused = requested.filter((id) => !granted.some((g) => g.facilityId === id));
  // The REST body stays the contract's fixed 403; the browser shows this message.
  if (refused.length)
    throw new AppError("FORBIDDEN", `You do not have access to facility ${refused.join(", ")}`);
  return requested;
}

/** An id that is not a UUID names no webhook: answer as for any unknown id, without a query. */
function assertWebhookId(webhookId: string) {
  if (!webhookIdSchema.safeParse(webhookId).success) throw webhookNotFound();
}

async function findVisibleWebhookId(tx: Tx, principal: Principal, webhookId: string): Promise<string> {
  assertWebhookId(webhookId);
  const found = await tx.webhook.findFirst({
    where: { id: webhookId, ...visibleTo(principal) },
    select: { id: true },
  });
  if (!found) throw webhookNotFound();
  return found.id;
}

const listOrder = [{ createdAt: "asc" }, { id: "asc" }] satisfies Prisma.WebhookOrderByWithRelationInput[];

/** Every webhook the caller can see (the public API's list, which has no paging). */
export async function listWebhooks({ principal }: { principal: Principal }): Promise<Webhook[]> {
  const rows = await getDb().webhook.findMany({
    where: visibleTo(principal),
    include: webhookInclude,
    orderBy: listOrder,
  });
  return rows.map(toWebhook);
}

/** One page of the caller's webhooks for the admin list, filtered by facility and event. */
export async function listWebhooksPage({
  principal,
  input,
}: {
  principal: Principal;
  input: z.output<typeof listWebhooksInput>;
}): Promise<{ items: Webhook[]; nextCursor: string | null }> {
  const { cursor, limit, facilityId, event } = input;
  const rows = await getDb().webhook.findMany({
    where: {
      ...visibleTo(principal),
      ...(facilityId && { facilities: { some: { facilityId } } }),
      ...(event && { events: { some: { event: { in: [event, "all"] } } } }),
    },
    include: webhookInclude,
    orderBy: listOrder,
    take: limit + 1,
    ...(cursor && { cursor: { id: cursor }, skip: 1 }),
  });
  const items = rows.slice(0, limit).map(toWebhook);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function getWebhook({ principal, webhookId }: { principal: Principal; webhookId: string }) {
  assertWebhookId(webhookId);
  const row = await getDb().webhook.findFirst({
    where: { id: webhookId, ...visibleTo(principal) },
    include: webhookInclude,
  });
  if (!row) throw webhookNotFound();
  return toWebhook(row);
}

/**
 * An API client creates webhooks for itself. A signed-in user names which of their clients will own
 * it (`clientId`); a client they do not own is reported as not found.
 */
export async function createWebhook({
  principal,
  input,
  clientId,
}: {
  principal: Principal;
  input: CreateWebhookInput;
  clientId?: string;
}): Promise<Webhook> {
  const db = getDb();
  const ownerClientId = principal.clientId ?? (await findOwnedClientId(db, principal.userId, clientId));
  const facilities = await resolveFacilities(db, principal.userId, input.facilities ?? []);
  const row = await db.webhook.create({
    data: {
      url: input.url,
      clientId: ownerClientId,
      events: { createMany: { data: positioned("event", input.events) } },
      facilities: { createMany: { data: positioned("facilityId", facilities) } },
      secrets: { createMany: { data: positioned("value", input.secrets ?? [generateSecret()]) } },
    },
    include: webhookInclude,
  });
  return toWebhook(row);
}

async function findOwnedClientId(tx: Tx, userId: string, clientId: string | undefined): Promise<string> {
  const client = clientId
    ? await tx.apiClient.findFirst({ where: { id: clientId, ownerId: userId }, select: { id: true } })
    : null;
  if (!client) throw new AppError("NOT_FOUND", "API client not found");
  return client.id;
}

/**
 * Absent fields stay as they are. The checks (404, then 403) run before any write, so a refused
 * update changes nothing. The writes run as one batch transaction that first updates the webhook
 * row: on PostgreSQL that row lock makes concurrent updates of one webhook take turns instead of
 * colliding on the rows they each replace.
 */
export async function updateWebhook({
  principal,
  webhookId,
  input,
}: {
  principal: Principal;
  webhookId: string;
  input: UpdateWebhookInput;
}): Promise<Webhook> {
  const db = getDb();
  const id = await findVisibleWebhookId(db, principal, webhookId);
  const facilities = input.facilities && (await resolveFacilities(db, principal.userId, input.facilities));
  const rows = <K extends string>(key: K, values: string[]) =>
    positioned(key, values).map((row) => ({ ...row, webhookId: id }));
  const byWebhook = { where: { webhookId: id } };
  const writes: Prisma.PrismaPromise<unknown>[] = [
    // updatedAt is set explicitly: with no scalar change Prisma would skip the UPDATE, and its lock.
    db.webhook.update({
      where: { id },
      data: { url: input.url, updatedAt: new Date() },
      select: { id: true },
    }),
    ...(input.events
      ? [
          db.webhookEvent.deleteMany(byWebhook),
          db.webhookEvent.createMany({ data: rows("event", input.events) }),
        ]
      : []),
    ...(facilities
      ? [
          db.webhookFacility.deleteMany(byWebhook),
          db.webhookFacility.createMany({ data: rows("facilityId", facilities) }),
        ]
      : []),
    ...(input.secrets
      ? [
          db.webhookSecret.deleteMany(byWebhook),
          db.webhookSecret.createMany({ data: rows("value", input.secrets) }),
        ]
      : []),
  ];
  const results = await db
    .$transaction([...writes, db.webhook.findUniqueOrThrow({ where: { id }, include: webhookInclude })])
    .catch(notFoundAs(webhookNotFound));
  return toWebhook(results.at(-1) as WebhookRow);
}

export async function deleteWebhook({ principal, webhookId }: { principal: Principal; webhookId: string }) {
  assertWebhookId(webhookId);
  const { count } = await getDb().webhook.deleteMany({ where: { id: webhookId, ...visibleTo(principal) } });
  if (count === 0) throw webhookNotFound();
}

/** What the edit form offers: the facilities the user can access and the clients they own. */
export async function getFormOptions({ principal }: { principal: Principal }) {
  const db = getDb();
  const [facilities, clients] = await Promise.all([
    db.facility.findMany({
      where: { admins: { some: { userId: principal.userId } } },
      select: { id: true, name: true },
      orderBy: { id: "asc" },
    }),
    db.apiClient.findMany({
      where: principal.clientId ? { id: principal.clientId } : { ownerId: principal.userId },
      select: { id: true, name: true },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  return { facilities, clients };
}
