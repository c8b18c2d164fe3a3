/**
 * The webhook queries on the API's hot paths, in plain SQL that SQLite and PostgreSQL both run.
 * Through the ORM, reading one webhook with its events, facilities and secrets takes four queries,
 * and an update a dozen statements, each compiled and interpreted by Prisma; here a read is one
 * query and an update one short batch (bench/results.md has the before and after).
 */
import type { Principal } from "../auth/principal";
import { openSecret, sealSecret } from "../crypto/sealed-secrets";
import type { Db, Tx } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { differingFields, type WebhookEventName } from "./webhook.schemas";
import { type ChangeContext, recordChange } from "./webhook-history";

export type Webhook = {
  id: string;
  url: string;
  events: WebhookEventName[];
  clientId: string;
  facilities: string[];
  secrets: string[];
  /** Not part of the contract's body: REST answers it as the ETag. */
  version: number;
};

type Part = {
  webhookId: string;
  kind: "webhook" | "event" | "facility" | "secret";
  value: string;
  extra: string | null;
  position: number;
};

/**
 * Every part of the given webhooks, as rows: the webhook's url, client and version (in the
 * `position` column, which orders only the child rows), then its child rows in order.
 */
const partsQuery = (ids: string[]) => {
  const list = Prisma.join(ids);
  return Prisma.sql`
    SELECT "id" AS "webhookId", 'webhook' AS "kind", "url" AS "value", "clientId" AS "extra", "version" AS "position"
      FROM "Webhook" WHERE "id" IN (${list})
    UNION ALL SELECT "webhookId", 'event', "event", NULL, "position" FROM "WebhookEvent" WHERE "webhookId" IN (${list})
    UNION ALL SELECT "webhookId", 'facility', "facilityId", NULL, "position" FROM "WebhookFacility" WHERE "webhookId" IN (${list})
    UNION ALL SELECT "webhookId", 'secret', "value", NULL, "position" FROM "WebhookSecret" WHERE "webhookId" IN (${list})
    ORDER BY "position"`;
};

function assemble(parts: Part[], ids: string[]): Webhook[] {
  const byId = new Map<string, Webhook>();
  for (const part of parts.filter((p) => p.kind === "webhook")) {
    byId.set(part.webhookId, {
      id: part.webhookId,
      url: part.value,
      events: [],
      clientId: part.extra ?? "",
      facilities: [],
      secrets: [],
      version: Number(part.position),
    });
  }
  for (const { webhookId, kind, value } of parts) {
    const webhook = byId.get(webhookId);
    if (!webhook || kind === "webhook") continue;
    if (kind === "event") webhook.events.push(value as WebhookEventName);
    else if (kind === "facility") webhook.facilities.push(value);
    else webhook.secrets.push(openSecret(value, webhookId));
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * Ids per query: each is bound four times, and SQLite allows 32,766 parameters a statement
 * (PostgreSQL 65,535), so a client's whole list is read in bounded chunks.
 */
const READ_CHUNK = 1000;

/** The webhooks with these ids, in the order given (missing ones left out). */
export async function readWebhooks(db: Pick<Db, "$queryRaw">, ids: string[]): Promise<Webhook[]> {
  const webhooks: Webhook[] = [];
  for (let start = 0; start < ids.length; start += READ_CHUNK) {
    const chunk = ids.slice(start, start + READ_CHUNK);
    webhooks.push(...assemble(await db.$queryRaw<Part[]>(partsQuery(chunk)), chunk));
  }
  return webhooks;
}

/** The webhook's id, if the principal may see it (see webhook.service.ts `visibleTo`, the same rule). */
const visibleIdQuery = (principal: Principal, webhookId: string) =>
  principal.clientId
    ? Prisma.sql`SELECT "id" FROM "Webhook" WHERE "id" = ${webhookId} AND "clientId" = ${principal.clientId}`
    : Prisma.sql`SELECT w."id" FROM "Webhook" w JOIN "ApiClient" c ON c."id" = w."clientId"
        WHERE w."id" = ${webhookId} AND c."ownerId" = ${principal.userId} AND c."revokedAt" IS NULL`;

/** The id back if the principal may see this webhook, else null. */
export async function findVisibleId(db: Db, principal: Principal, webhookId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>(visibleIdQuery(principal, webhookId));
  return rows[0]?.id ?? null;
}

/**
 * `findVisibleId` and `grantedFacilityIds` in one round trip: an update's 404 and 403 checks.
 */
export async function findVisibleIdAndGrants(
  db: Db,
  principal: Principal,
  webhookId: string,
  facilityIds: string[],
): Promise<{ id: string | null; granted: Set<string> }> {
  const rows = await db.$queryRaw<{ kind: string; value: string }[]>`
    SELECT 'webhook' AS "kind", v."id" AS "value" FROM (${visibleIdQuery(principal, webhookId)}) v
    UNION ALL
    SELECT 'facility', "facilityId" FROM "FacilityAccess"
      WHERE "userId" = ${principal.userId} AND "facilityId" IN (${Prisma.join(facilityIds)})`;
  return {
    id: rows.find((row) => row.kind === "webhook")?.value ?? null,
    granted: new Set(rows.filter((row) => row.kind === "facility").map((row) => row.value)),
  };
}

/** Which of these facilities the user may use. */
export async function grantedFacilityIds(
  db: Db,
  userId: string,
  facilityIds: string[],
): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ facilityId: string }[]>`
    SELECT "facilityId" FROM "FacilityAccess" WHERE "userId" = ${userId} AND "facilityId" IN (${Prisma.join(facilityIds)})`;
  return new Set(rows.map((r) => r.facilityId));
}

export type WebhookFields = { url?: string; events?: string[]; facilities?: string[]; secrets?: string[] };

const CHILD_TABLES = [
  { key: "events", table: "WebhookEvent", column: "event" },
  { key: "facilities", table: "WebhookFacility", column: "facilityId" },
  { key: "secrets", table: "WebhookSecret", column: "value" },
] as const;

// Long enough for many writers of one webhook to take turns on its lock.
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

/**
 * Reads the webhook inside a transaction, holding its lock until the transaction ends: on
 * PostgreSQL its row lock; on SQLite transactions begin IMMEDIATE (db.ts), holding the write lock.
 */
async function lockAndRead(tx: Tx, id: string): Promise<Webhook | null> {
  if (getEnv().provider === "postgresql") {
    await tx.$queryRaw`SELECT "id" FROM "Webhook" WHERE "id" = ${id} FOR UPDATE`;
  }
  return assemble(await tx.$queryRaw<Part[]>(partsQuery([id])), [id])[0] ?? null;
}

export type WriteOutcome =
  | { status: "written"; webhook: Webhook }
  | { status: "missing" }
  | { status: "conflict"; current: Webhook };

type WriteOptions = { expectedVersion?: number; change: ChangeContext };

/**
 * Runs `apply` in one transaction that holds the webhook's lock: concurrent writers take turns
 * (each change applies whole, never a mix), a webhook deleted meanwhile is "missing" (not a
 * foreign-key failure), and with `expectedVersion` a webhook changed since that version is a
 * "conflict" and nothing is written.
 */
function underLock(
  db: Db,
  id: string,
  expectedVersion: number | undefined,
  apply: (tx: Tx, current: Webhook) => Promise<Webhook>,
): Promise<WriteOutcome> {
  return db.$transaction(async (tx): Promise<WriteOutcome> => {
    const current = await lockAndRead(tx, id);
    if (!current) return { status: "missing" };
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      return { status: "conflict", current };
    return { status: "written", webhook: await apply(tx, current) };
  }, TRANSACTION_OPTIONS);
}

/**
 * Applies the changed fields and records the change (see `underLock`). Fields equal to the stored
 * ones are not written; a request changing nothing keeps the version and records nothing.
 */
export function writeWebhook(
  db: Db,
  id: string,
  fields: WebhookFields,
  { expectedVersion, change }: WriteOptions,
) {
  return underLock(db, id, expectedVersion, async (tx, current) => {
    const changed = differingFields(current, fields).filter((field) => fields[field] !== undefined);
    if (changed.length === 0) return current;
    const after = {
      ...current,
      ...Object.fromEntries(changed.map((f) => [f, fields[f]])),
      version: current.version + 1,
    };

    await tx.$executeRaw`UPDATE "Webhook" SET "url" = ${after.url}, "version" = ${after.version}, "updatedAt" = CURRENT_TIMESTAMP
      WHERE "id" = ${id}`;
    for (const { key, table, column } of CHILD_TABLES) {
      if (!changed.includes(key)) continue;
      await tx.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "webhookId" = ${id}`;
      const values = after[key];
      if (values.length === 0) continue;
      const stored = key === "secrets" ? values.map((secret) => sealSecret(secret, id)) : values;
      const rows = Prisma.join(stored.map((value, position) => Prisma.sql`(${id}, ${value}, ${position})`));
      await tx.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}" ("webhookId", "${column}", "position")`)} VALUES ${rows}`;
    }
    const action =
      change.action ?? (changed.length === 1 && changed[0] === "secrets" ? "secrets-rotated" : "updated");
    await tx.$executeRaw(recordChange({ ...change, action }, current, after));
    return after;
  });
}

/** Deletes the webhook and records it (see `underLock`). */
export function removeWebhook(db: Db, id: string, { expectedVersion, change }: WriteOptions) {
  return underLock(db, id, expectedVersion, async (tx, current) => {
    await tx.$executeRaw`DELETE FROM "Webhook" WHERE "id" = ${id}`;
    await tx.$executeRaw(recordChange({ ...change, action: "deleted" }, current, null));
    return current;
  });
}
