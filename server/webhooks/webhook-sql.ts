/**
 * The webhook queries on the API's hot paths, in plain SQL that SQLite and PostgreSQL both run.
 * Through the ORM, reading one webhook with its events, facilities and secrets takes four queries,
 * and an update a dozen statements, each compiled and interpreted by Prisma; here a read is one
 * query and an update one short batch (bench/results.md has the before and after).
 */
import type { Principal } from "../auth/principal";
import { openSecret, sealSecret } from "../crypto/sealed-secrets";
import type { Db } from "../db";
import { Prisma } from "../generated/sqlite/client";
import type { WebhookEventName } from "./webhook.schemas";

export type Webhook = {
  id: string;
  url: string;
  events: WebhookEventName[];
  clientId: string;
  facilities: string[];
  secrets: string[];
};

type Part = {
  webhookId: string;
  kind: "webhook" | "event" | "facility" | "secret";
  value: string;
  extra: string | null;
};

/** Every part of the given webhooks, as rows: the webhook's url and client, then its child rows in order. */
const partsQuery = (ids: string[]) => {
  const list = Prisma.join(ids);
  return Prisma.sql`
    SELECT "id" AS "webhookId", 'webhook' AS "kind", "url" AS "value", "clientId" AS "extra", 0 AS "position"
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
export async function readWebhooks(db: Db, ids: string[]): Promise<Webhook[]> {
  const webhooks: Webhook[] = [];
  for (let start = 0; start < ids.length; start += READ_CHUNK) {
    const chunk = ids.slice(start, start + READ_CHUNK);
    webhooks.push(...assemble(await db.$queryRaw<Part[]>(partsQuery(chunk)), chunk));
  }
  return webhooks;
}

/** The id back if the principal may see this webhook (see webhook.service.ts `visibleTo`), else null. */
export async function findVisibleId(db: Db, principal: Principal, webhookId: string): Promise<string | null> {
  const rows = principal.clientId
    ? await db.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "Webhook" WHERE "id" = ${webhookId} AND "clientId" = ${principal.clientId}`
    : await db.$queryRaw<{ id: string }[]>`
        SELECT w."id" FROM "Webhook" w JOIN "ApiClient" c ON c."id" = w."clientId"
        WHERE w."id" = ${webhookId} AND c."ownerId" = ${principal.userId} AND c."revokedAt" IS NULL`;
  return rows[0]?.id ?? null;
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

type Changes = { url?: string; events?: string[]; facilities?: string[]; secrets?: string[] };

const CHILD_TABLES = [
  { key: "events", table: "WebhookEvent", column: "event" },
  { key: "facilities", table: "WebhookFacility", column: "facilityId" },
  { key: "secrets", table: "WebhookSecret", column: "value" },
] as const;

/**
 * Applies the changes and reads the webhook back, in one transaction. The webhook row is updated
 * first: on PostgreSQL its row lock makes concurrent updates of one webhook take turns instead of
 * colliding on the child rows they each replace.
 */
export async function writeWebhook(db: Db, id: string, changes: Changes): Promise<Webhook | null> {
  const statements: Prisma.PrismaPromise<unknown>[] = [
    db.$executeRaw`UPDATE "Webhook" SET "url" = COALESCE(${changes.url ?? null}, "url"), "updatedAt" = CURRENT_TIMESTAMP
      WHERE "id" = ${id}`,
  ];
  for (const { key, table, column } of CHILD_TABLES) {
    const values = changes[key];
    if (!values) continue;
    statements.push(db.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "webhookId" = ${id}`);
    if (values.length === 0) continue;
    const stored = key === "secrets" ? values.map((secret) => sealSecret(secret, id)) : values;
    const rows = Prisma.join(stored.map((value, position) => Prisma.sql`(${id}, ${value}, ${position})`));
    statements.push(
      db.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}" ("webhookId", "${column}", "position")`)} VALUES ${rows}`,
    );
  }
  const results = await db.$transaction([...statements, db.$queryRaw<Part[]>(partsQuery([id]))]);
  return assemble(results.at(-1) as Part[], [id])[0] ?? null;
}
