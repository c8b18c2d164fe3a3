/**
 * Delivery fan-out: the webhooks that must receive event E of facility F — those of facility F
 * that list E or `all`, whose client is not revoked and whose owner is not disabled and can access
 * F now (access is read here, on every event, so taking it away stops the flow at once). It runs
 * once per published event, so it is written to walk indexes (WebhookFacility by facility, then
 * primary keys) on both backends; tests/scale.test.ts checks the plans at 100,000 webhooks.
 */
import { clientAccessJoins } from "../access/access";
import type { Db } from "../db";
import { Prisma } from "../generated/sqlite/client";
import type { Provider } from "../prisma-schema";
import type { WebhookEventName } from "./webhook-rules";

/**
 * The webhook whose id is `webhookId` (a column) receives `eventType`: it lists that event or
 * `all`. The fan-out and the admin list's event filter both ask this.
 */
export const receivesEvent = (webhookId: Prisma.Sql, eventType: WebhookEventName) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "WebhookEvent" e WHERE e."webhookId" = ${webhookId} AND e."event" IN (${eventType}, 'all'))`;

/**
 * A URL without `user:password@` (stored before credentials were refused), in SQL: the delivery
 * log copies the URL, and credentials never go into it. (SQLite gets regexp_replace from server/db.ts.)
 */
const withoutCredentials = (url: Prisma.Sql) =>
  Prisma.sql`regexp_replace(${url}, ${"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@"}, ${"\\1"})`;

export const fanOutQuery = (facilityId: string, eventType: WebhookEventName) => Prisma.sql`
  SELECT w."id" AS "webhookId", w."clientId", ${withoutCredentials(Prisma.raw(`w."url"`))} AS "url"
  FROM "WebhookFacility" f
  JOIN "Webhook" w ON w."id" = f."webhookId" AND w."disabledAt" IS NULL
  ${clientAccessJoins("inner", Prisma.raw(`f."facilityId"`))}
  WHERE f."facilityId" = ${facilityId}
    AND ${receivesEvent(Prisma.raw(`f."webhookId"`), eventType)}`;

/** `known`: whether the facility exists; `n`: how many webhooks `audience` (a fan-out) holds. */
const audienceCounts = (facilityId: string, audience: Prisma.Sql) => Prisma.sql`
  SELECT (SELECT COUNT(*) FROM "Facility" WHERE "id" = ${facilityId}) AS "known",
    (SELECT COUNT(*) FROM ${audience} targets) AS "n"`;

/**
 * Whether facility `facilityId` exists, and how many webhooks receive `eventType` of it now: one
 * query, so publishing one event asks the database once before it writes.
 */
export async function countFanOut(
  db: Pick<Db, "$queryRaw">,
  facilityId: string,
  eventType: WebhookEventName,
): Promise<{ facilityExists: boolean; listeners: number }> {
  const [row] = await db.$queryRaw<{ known: bigint | number; n: bigint | number }[]>(
    audienceCounts(facilityId, Prisma.sql`(${fanOutQuery(facilityId, eventType)})`),
  );
  return { facilityExists: Number(row?.known ?? 0) > 0, listeners: Number(row?.n ?? 0) };
}

/** A new delivery id in SQL: a random (version 4) UUID, on either backend. */
const newUuid = (provider: Provider) =>
  provider === "postgresql"
    ? Prisma.sql`gen_random_uuid()::text`
    : Prisma.sql`lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
        || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)
        || '-' || hex(randomblob(6)))`;

/** One pending delivery per row of `from`: events as `ev` beside their webhooks (a fan-out) as `t`. */
const deliveriesFor = (
  provider: Provider,
  from: Prisma.Sql,
  { dueAtMs, createdAt }: { dueAtMs: bigint; createdAt: Date },
) => Prisma.sql`
  INSERT INTO "Delivery" ("id", "eventId", "webhookId", "clientId", "facilityId", "eventType", "url", "dueAtMs", "createdAt")
  SELECT ${newUuid(provider)}, ev."id", t."webhookId", t."clientId", ev."facilityId", ev."eventType", t."url",
    ${dueAtMs}, ${createdAt}
  FROM ${from}`;

/**
 * Stores one pending delivery per webhook that receives the events (all of one facility and event
 * type, already stored), inside the database: no row is built in memory, however many webhooks
 * listen: the statement (run it with `$executeRaw`, which says how many it stored).
 */
export function insertDeliveries({
  provider,
  eventIds,
  facilityId,
  eventType,
  dueAtMs,
  createdAt,
}: {
  provider: Provider;
  eventIds: string[];
  facilityId: string;
  eventType: WebhookEventName;
  dueAtMs: bigint;
  createdAt: Date;
}): Prisma.Sql {
  return Prisma.sql`${deliveriesFor(
    provider,
    Prisma.sql`"Event" ev CROSS JOIN (${fanOutQuery(facilityId, eventType)}) t`,
    { dueAtMs, createdAt },
  )}
    WHERE ev."id" IN (${Prisma.join(eventIds)})`;
}

type StoredEvent = { id: string; eventType: WebhookEventName; facilityId: string; body: string };

/** Stores events as they are, in one plain INSERT (no ORM query to compile on every publish). */
export const insertEvents = (events: StoredEvent[], createdAt: Date) => Prisma.sql`
  INSERT INTO "Event" ("id", "eventType", "facilityId", "body", "createdAt")
  VALUES ${Prisma.join(
    events.map((e) => Prisma.sql`(${e.id}, ${e.eventType}, ${e.facilityId}, ${e.body}, ${createdAt})`),
  )}`;

/**
 * PostgreSQL, one event, in one statement (one round trip, atomic as every statement is): whether
 * its facility exists and how many webhooks receive it; and, when the facility exists and they are
 * at most `maxDeliveries`, the event and its deliveries stored — otherwise nothing.
 */
export async function publishOneEvent(
  db: Pick<Db, "$queryRaw">,
  {
    event,
    dueAtMs,
    createdAt,
    maxDeliveries,
  }: { event: StoredEvent; dueAtMs: bigint; createdAt: Date; maxDeliveries: number },
): Promise<{ facilityExists: boolean; listeners: number; stored: number }> {
  const [row] = await db.$queryRaw<{ known: bigint; n: bigint; stored: bigint }[]>`
    WITH audience AS (${fanOutQuery(event.facilityId, event.eventType)}),
    checks AS (${audienceCounts(event.facilityId, Prisma.sql`audience`)}),
    ev AS (
      INSERT INTO "Event" ("id", "eventType", "facilityId", "body", "createdAt")
      SELECT ${event.id}, ${event.eventType}, ${event.facilityId}, ${event.body}, ${createdAt}
      FROM checks WHERE "known" > 0 AND "n" <= ${maxDeliveries}
      RETURNING "id", "facilityId", "eventType"
    ), stored AS (
      ${deliveriesFor("postgresql", Prisma.sql`ev CROSS JOIN audience t`, { dueAtMs, createdAt })}
      RETURNING 1
    )
    SELECT "known", "n", (SELECT COUNT(*) FROM stored) AS "stored" FROM checks`;
  return {
    facilityExists: Number(row?.known ?? 0) > 0,
    listeners: Number(row?.n ?? 0),
    stored: Number(row?.stored ?? 0),
  };
}
