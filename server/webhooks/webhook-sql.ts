/**
 * The webhook queries on the API's hot paths, in plain SQL that SQLite and PostgreSQL both run.
 * Through the ORM, reading one webhook with its events, facilities and secrets takes four queries,
 * and an update a dozen statements, each compiled and interpreted by Prisma; here a read is one
 * query, one row per webhook, and an update one statement on PostgreSQL or one short batch on
 * SQLite (bench/results.md has the before and after).
 */
import { randomUUID } from "node:crypto";
import { visibleTo } from "../access/access";
import type { Principal } from "../auth/principal";
import { openSecret, sealSecret, UnopenableSecretError } from "../crypto/sealed-secrets";
import type { Db, Tx } from "../db";
import { getEnv } from "../env";
import { Prisma } from "../generated/sqlite/client";
import { logger } from "../http/log";
import type { Webhook } from "./webhook";
import { receivesEvent } from "./webhook-fanout";
import { type ChangeContext, recordChange } from "./webhook-history";
import { differingFields, type WebhookEventName, type WebhookHealthState } from "./webhook-rules";

/** A webhook as `webhooksQuery` returns it: its lists as JSON arrays (null for none, on PostgreSQL). */
type WebhookRow = {
  id: string;
  url: string;
  clientId: string;
  version: number;
  events: string | null;
  facilities: string | null;
  secrets?: string | null;
  granted?: string | null;
};

/** The JSON-array aggregate, which the two backends name differently (both take ORDER BY). */
const jsonArray = () => Prisma.raw(getEnv().provider === "postgresql" ? "json_agg" : "json_group_array");

/** A correlated subquery: the values of one column of `table`, in order, as a JSON array. */
const listOf = (table: string, column: string, where: Prisma.Sql, order = "position") =>
  Prisma.sql`(SELECT CAST(${jsonArray()}(${Prisma.raw(`"${column}"`)} ORDER BY ${Prisma.raw(`"${order}"`)}) AS TEXT)
    FROM ${Prisma.raw(`"${table}"`)} WHERE ${where})`;

/**
 * The webhooks `w` that match `where`, one row each with their events, facilities and (unless
 * `secrets` is false) secrets aggregated in place: a few hundred child rows would cost Prisma far
 * more to hand over than fifty. `more` adds columns.
 */
const webhooksQuery = (
  where: Prisma.Sql,
  { secrets = true, more = Prisma.empty }: { secrets?: boolean; more?: Prisma.Sql } = {},
) => {
  const ofThis = Prisma.sql`"webhookId" = w."id"`;
  return Prisma.sql`
    SELECT w."id", w."url", w."clientId", w."version",
      ${listOf("WebhookEvent", "event", ofThis)} AS "events",
      ${listOf("WebhookFacility", "facilityId", ofThis)} AS "facilities"
      ${secrets ? Prisma.sql`, ${listOf("WebhookSecret", "value", ofThis)} AS "secrets"` : Prisma.empty}
      ${more}
    FROM "Webhook" w WHERE ${where}`;
};

const parseList = (json: string | null | undefined): string[] => (json ? JSON.parse(json) : []);

/**
 * The row as a webhook. A secret the server cannot open (its key is not configured) fails a single
 * read with the reason; a list shows that webhook without secrets instead of failing for everyone.
 */
function toWebhook(row: WebhookRow, { inList = false } = {}): Webhook {
  let secrets: string[];
  try {
    secrets = parseList(row.secrets).map((sealed) => openSecret(sealed, row.id));
  } catch (error) {
    if (!inList || !(error instanceof UnopenableSecretError)) throw error;
    logger.error(
      { err: error, webhookId: row.id },
      "a webhook secret cannot be opened; listed without secrets",
    );
    secrets = [];
  }
  return {
    id: row.id,
    url: row.url,
    events: parseList(row.events) as WebhookEventName[],
    clientId: row.clientId,
    facilities: parseList(row.facilities),
    secrets,
    version: Number(row.version),
  };
}

/** The rows as webhooks, in the order of `ids` (missing ones left out). */
function inOrder(rows: WebhookRow[], ids: string[]): Webhook[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toWebhook(row)] : [];
  });
}

/**
 * Ids per query: SQLite allows 32,766 parameters a statement (PostgreSQL 65,535), so a client's
 * whole list is read in bounded chunks.
 */
const READ_CHUNK = 1000;

/** The webhooks with these ids, in the order given (missing ones left out). */
export async function readWebhooks(db: Pick<Db, "$queryRaw">, ids: string[]): Promise<Webhook[]> {
  const webhooks: Webhook[] = [];
  for (let start = 0; start < ids.length; start += READ_CHUNK) {
    const chunk = ids.slice(start, start + READ_CHUNK);
    webhooks.push(
      ...inOrder(
        await db.$queryRaw<WebhookRow[]>(webhooksQuery(Prisma.sql`w."id" IN (${Prisma.join(chunk)})`)),
        chunk,
      ),
    );
  }
  return webhooks;
}

/** The one webhook `webhookId`, if the principal may see it. */
const visibleWebhook = (principal: Principal, webhookId: string) =>
  Prisma.sql`w."id" = ${webhookId} AND ${visibleTo(principal)}`;

/** Lists show webhooks oldest first, ids breaking ties; the admin list pages by the same keys. */
const LIST_ORDER = Prisma.sql`ORDER BY w."createdAt", w."id"`;

/** Every webhook the principal may see, oldest first: one query. */
export async function readVisibleWebhooks(db: Db, principal: Principal): Promise<Webhook[]> {
  const rows = await db.$queryRaw<WebhookRow[]>(
    Prisma.sql`${webhooksQuery(visibleTo(principal))} ${LIST_ORDER}`,
  );
  return rows.map((row) => toWebhook(row, { inList: true }));
}

/**
 * The admin list's cursor: the list's keys of a page's last webhook, `<createdAt, ISO>_<id>`. The
 * keys themselves, not the webhook's id, so the next page follows on from that place even when that
 * webhook has been deleted since.
 */
const LIST_CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$/;

const listCursor = (createdAt: Date, id: string) => `${createdAt.toISOString()}_${id}`;

/** The keys a list cursor names, or null for a string that is not one. */
export function listCursorKeys(cursor: string): { createdAt: Date; id: string } | null {
  const [, iso, id] = LIST_CURSOR.exec(cursor) ?? [];
  if (!iso || !id) return null;
  const createdAt = new Date(iso);
  // Dates that do not exist (a 13th month) fail the round trip.
  return !Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === iso ? { createdAt, id } : null;
}

export type WebhookPageQuery = {
  /** The cursor the previous page ended with. */
  after?: string;
  limit: number;
  /** Only webhooks that send this facility's events. */
  facilityId?: string;
  /** Only webhooks that receive this event: those listing it and those listing `all`. */
  event?: WebhookEventName;
  health?: WebhookHealthState;
};

/** The health filter, on the columns the workers keep (a failing endpoint has a `failingSince`). */
const HEALTH_CONDITIONS: Record<WebhookHealthState, Prisma.Sql> = {
  healthy: Prisma.sql`w."disabledAt" IS NULL AND w."failingSince" IS NULL`,
  failing: Prisma.sql`w."disabledAt" IS NULL AND w."failingSince" IS NOT NULL`,
  disabled: Prisma.sql`w."disabledAt" IS NOT NULL`,
};

/**
 * One page of the webhooks the principal may see, in the list's order, and the cursor of the next
 * page (null for the last): one query. Pages by the list's keys, so a webhook added or removed
 * meanwhile neither repeats nor skips a row of the pages to come. Lists never show secrets, so
 * they are not read.
 */
export async function readVisibleWebhookPage(
  db: Db,
  principal: Principal,
  { after, limit, facilityId, event, health }: WebhookPageQuery,
): Promise<{ webhooks: Omit<Webhook, "secrets">[]; next: string | null }> {
  const conditions = [visibleTo(principal)];
  if (health) conditions.push(HEALTH_CONDITIONS[health]);
  if (facilityId) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "WebhookFacility"
      WHERE "webhookId" = w."id" AND "facilityId" = ${facilityId})`);
  }
  if (event) conditions.push(receivesEvent(Prisma.raw(`w."id"`), event));
  if (after !== undefined) {
    // The doors refuse a malformed cursor (webhook.schemas.ts); here it is a caller's mistake.
    const keys = listCursorKeys(after);
    if (!keys) throw new Error(`not a list cursor: ${after}`);
    conditions.push(Prisma.sql`(w."createdAt", w."id") > (${keys.createdAt}, ${keys.id})`);
  }
  const rows = await db.$queryRaw<(WebhookRow & { createdAt: Date })[]>(
    Prisma.sql`${webhooksQuery(Prisma.join(conditions, " AND "), {
      secrets: false,
      more: Prisma.sql`, w."createdAt"`,
    })} ${LIST_ORDER} LIMIT ${limit + 1}`,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    webhooks: page.map((row) => {
      const { secrets: _, ...webhook } = toWebhook(row);
      return webhook;
    }),
    next: rows.length > limit && last ? listCursor(last.createdAt, last.id) : null,
  };
}

/** The id back if the principal may see this webhook, else null. */
export async function findVisibleId(db: Db, principal: Principal, webhookId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT w."id" FROM "Webhook" w WHERE ${visibleWebhook(principal, webhookId)}`;
  return rows[0]?.id ?? null;
}

/**
 * An update's one read: the webhook as it stands, if the principal may see it (else null), and
 * which of the named facilities the user may use — all of the user's, in id order, for `[]`.
 */
export async function readForUpdate(
  db: Db,
  principal: Principal,
  webhookId: string,
  facilityIds: string[] | undefined,
): Promise<{ current: Webhook | null; granted: string[] }> {
  const named = facilityIds?.length
    ? Prisma.sql`AND "facilityId" IN (${Prisma.join(facilityIds)})`
    : Prisma.empty;
  const grants = facilityIds
    ? Prisma.sql`, ${listOf("FacilityAccess", "facilityId", Prisma.sql`"userId" = ${principal.userId} ${named}`, "facilityId")} AS "granted"`
    : Prisma.empty;
  const [row] = await db.$queryRaw<WebhookRow[]>(
    webhooksQuery(visibleWebhook(principal, webhookId), { more: grants }),
  );
  return { current: row ? toWebhook(row) : null, granted: parseList(row?.granted).sort() };
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
  const [row] = await tx.$queryRaw<WebhookRow[]>(webhooksQuery(Prisma.sql`w."id" = ${id}`));
  return row ? toWebhook(row) : null;
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
 * One change to `current` as SQL, or null when `fields` change nothing. The UPDATE applies only to
 * the version read; every other statement applies only when the UPDATE did — so when another
 * writer got there first, the change writes nothing and reports 0 rows. Two renderings:
 *
 * - `statements`, for a batch transaction (SQLite, where a statement cannot write two tables, and
 *   the locked path): the UPDATE marks the row with the change's id and each later statement
 *   applies only while the row carries that mark.
 * - `statement`, on PostgreSQL: one statement whose data-modifying CTEs all hang on the UPDATE's
 *   RETURNING (one round trip, atomic without a transaction). Each INSERT waits on its table's
 *   DELETE through a subquery, since CTEs otherwise run in no set order.
 */
function changeSql(current: Webhook, fields: WebhookFields, change: ChangeContext) {
  const changed = differingFields(current, fields).filter((field) => fields[field] !== undefined);
  if (changed.length === 0) return null;
  const { id } = current;
  const after = {
    ...current,
    ...Object.fromEntries(changed.map((f) => [f, fields[f]])),
    version: current.version + 1,
  };
  const changeId = randomUUID();
  const update = Prisma.sql`UPDATE "Webhook" SET "url" = ${after.url}, "version" = ${after.version}, "updatedAt" = CURRENT_TIMESTAMP,
      "lastChangeId" = ${changeId}
    WHERE "id" = ${id} AND "version" = ${current.version}`;
  // Sealed once, for the secrets' rows and the history's snapshot alike.
  const sealedSecrets = changed.includes("secrets")
    ? after.secrets.map((secret) => sealSecret(secret, id))
    : undefined;
  const children = CHILD_TABLES.filter(({ key }) => changed.includes(key)).map(({ key, table, column }) => {
    const stored = key === "secrets" && sealedSecrets ? sealedSecrets : after[key];
    const rows = stored.map((value, position) => Prisma.sql`(${id}, ${value}, CAST(${position} AS INTEGER))`);
    return {
      table: Prisma.raw(`"${table}"`),
      insertInto: Prisma.raw(`INSERT INTO "${table}" ("webhookId", "${column}", "position")`),
      rows: rows.length ? Prisma.join(rows) : null,
    };
  });
  const action =
    change.action ?? (changed.length === 1 && changed[0] === "secrets" ? "secrets-rotated" : "updated");
  const history = (onlyIf: Prisma.Sql) =>
    recordChange({ ...change, action }, current, after, [], { id: changeId, onlyIf, sealedSecrets });

  const ours = Prisma.sql`EXISTS (SELECT 1 FROM "Webhook" WHERE "id" = ${id} AND "lastChangeId" = ${changeId})`;
  const statements = [update];
  for (const { table, insertInto, rows } of children) {
    statements.push(Prisma.sql`DELETE FROM ${table} WHERE "webhookId" = ${id} AND ${ours}`);
    if (rows)
      statements.push(Prisma.sql`${insertInto} SELECT * FROM (VALUES ${rows}) AS "row" WHERE ${ours}`);
  }
  statements.push(history(ours));

  const applied = Prisma.sql`EXISTS (SELECT 1 FROM "changed")`;
  const ctes = [Prisma.sql`"changed" AS (${update} RETURNING "id")`];
  for (const [n, { table, insertInto, rows }] of children.entries()) {
    const gone = Prisma.raw(`"gone${n}"`);
    ctes.push(
      Prisma.sql`${gone} AS (DELETE FROM ${table} WHERE "webhookId" IN (SELECT "id" FROM "changed") RETURNING 1)`,
    );
    if (rows) {
      ctes.push(Prisma.sql`${Prisma.raw(`"new${n}"`)} AS (${insertInto}
        SELECT * FROM (VALUES ${rows}) AS "row" WHERE ${applied} AND (SELECT count(*) FROM ${gone}) >= 0)`);
    }
  }
  ctes.push(Prisma.sql`"recorded" AS (${history(applied)})`);
  const statement = Prisma.sql`WITH ${Prisma.join(ctes)} SELECT CAST(count(*) AS INTEGER) AS "updated" FROM "changed"`;

  return { after, statements, statement };
}

/** Applies a change in one round trip; true when it applied (the webhook was still at its version). */
async function applyOptimistically(db: Db, write: NonNullable<ReturnType<typeof changeSql>>) {
  if (getEnv().provider === "postgresql") {
    const [row] = await db.$queryRaw<{ updated: number }[]>(write.statement);
    return row?.updated === 1;
  }
  const [updated] = await db.$transaction(write.statements.map((statement) => db.$executeRaw(statement)));
  return updated === 1;
}

/** Optimistic tries before a writer takes its turn under the lock (many writers on one webhook). */
const OPTIMISTIC_TRIES = 3;

/**
 * Applies the changed fields and records the change; fields equal to the stored ones are not
 * written, and a request changing nothing keeps the version and records nothing. `current` is the
 * webhook as the caller read it (outside any transaction).
 *
 * Optimistic first: one round trip (see `changeSql`) that applies only if the webhook is still at
 * the version read. When another writer changed it meanwhile, the webhook is read again and the
 * change re-applied to it — or refused as a "conflict" when `expectedVersion` no longer holds, or
 * "missing" when it was deleted. After a few lost races the writer takes its turn under the lock
 * instead (`underLock`), so a crowd on one webhook still finishes.
 */
export async function writeWebhook(
  db: Db,
  current: Webhook,
  fields: WebhookFields,
  { expectedVersion, change }: WriteOptions,
): Promise<WriteOutcome> {
  let seen: Webhook | null = current;
  for (let tries = 0; tries < OPTIMISTIC_TRIES; tries++) {
    if (tries > 0) seen = (await readWebhooks(db, [current.id]))[0] ?? null;
    if (!seen) return { status: "missing" };
    if (expectedVersion !== undefined && seen.version !== expectedVersion)
      return { status: "conflict", current: seen };
    const write = changeSql(seen, fields, change);
    if (!write) return { status: "written", webhook: seen };
    if (await applyOptimistically(db, write)) return { status: "written", webhook: write.after };
  }
  return underLock(db, current.id, expectedVersion, async (tx, locked) => {
    const write = changeSql(locked, fields, change);
    if (!write) return locked;
    for (const statement of write.statements) await tx.$executeRaw(statement);
    return write.after;
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
