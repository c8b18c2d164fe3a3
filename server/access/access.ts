/**
 * Who may see which webhooks, and which webhooks may receive which events — written once. The
 * webhook SQL, the fan-out, the worker's send-time check and the delivery services all ask here,
 * so a rule changed here changes everywhere at once.
 */
import type { Principal } from "../auth/principal";
import type { Db } from "../db";
import { Prisma } from "../generated/sqlite/client";

/** The ids of the API clients a user acts through now: their clients not revoked. */
const activeClientIdsOf = (userId: string) =>
  Prisma.sql`SELECT "id" FROM "ApiClient" WHERE "ownerId" = ${userId} AND "revokedAt" IS NULL`;

/**
 * Webhook `w` is one the principal may see: a client's own, or those of a user's clients that are
 * not revoked. A condition on `w` rather than a list of ids, so a client's list is read in its
 * index's order, with no join and no sort.
 */
export const visibleTo = (principal: Principal) =>
  principal.clientId
    ? Prisma.sql`w."clientId" = ${principal.clientId}`
    : Prisma.sql`w."clientId" IN (${activeClientIdsOf(principal.userId)})`;

/**
 * Joins that find, for webhook `w`, its client `c` if not revoked, that client's owner `u` if not
 * disabled, and the owner's access `a` to facility `facilityId`: the webhook's client may deliver
 * that facility's events now only when all three are found. As inner joins (the fan-out) they keep
 * only such webhooks; as left joins (the worker's check before each attempt) `clientMayDeliver`
 * says whether all three were found. Joins rather than EXISTS: each planner then walks from the webhook by
 * primary keys, where a semi-join can turn the walk around (from the facility's admins to all of
 * their clients' webhooks).
 */
export const clientAccessJoins = (kind: "inner" | "left", facilityId: Prisma.Sql) => {
  const join = Prisma.raw(kind === "inner" ? "JOIN" : "LEFT JOIN");
  return Prisma.sql`
    ${join} "ApiClient" c ON c."id" = w."clientId" AND c."revokedAt" IS NULL
    ${join} "User" u ON u."id" = c."ownerId" AND u."disabledAt" IS NULL
    ${join} "FacilityAccess" a ON a."userId" = c."ownerId" AND a."facilityId" = ${facilityId}`;
};

/** With the left joins above: the webhook's client may deliver the facility's events now. */
export const clientMayDeliver = Prisma.sql`c."id" IS NOT NULL AND u."id" IS NOT NULL AND a."userId" IS NOT NULL`;

export async function accessibleFacilityIds(db: Db, userId: string): Promise<string[]> {
  const rows = await db.facilityAccess.findMany({ where: { userId }, select: { facilityId: true } });
  // Code-point order on both backends (PostgreSQL's collation would order some ids differently).
  return rows.map((r) => r.facilityId).sort();
}

/** Every API client the user owns, revoked ones included (their logs and history stay the user's). */
export const ownedClientIdsQuery = (userId: string) =>
  Prisma.sql`SELECT "id" FROM "ApiClient" WHERE "ownerId" = ${userId}`;

export async function ownedClientIds(db: Db, userId: string): Promise<string[]> {
  const clients = await db.$queryRaw<{ id: string }[]>(ownedClientIdsQuery(userId));
  return clients.map((c) => c.id);
}
