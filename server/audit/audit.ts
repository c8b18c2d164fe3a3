/**
 * The audit trail: every change to who may do what — API clients issued, renamed, rotated and
 * revoked, sessions ended, users disabled, facility access granted and removed, keys rotated,
 * payloads erased — with who did it, when and from where. Each entry is an INSERT run in the same
 * transaction as the change, so there is no change without its entry, and no entry without its change.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { z } from "zod";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { Prisma } from "../generated/sqlite/client";
import type { RequestOrigin } from "../webhooks/webhook-history";

export const AUDIT_ACTIONS = [
  "client.created",
  "client.renamed",
  "client.token-rotated",
  "client.revoked",
  "session.ended",
  "user.disabled",
  "facility-access.granted",
  "facility-access.removed",
  "signing-keys.rotated",
  "sealing-key.rotated",
  "deliveries.erased",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a signed-in user (from a browser, with its address) or the operator at the CLI. */
export type Auditor = { principal: Principal; origin?: RequestOrigin } | "operator";

/** How the CLI appears in the trail: no network address, the machine it ran on. */
const operatorOrigin = (): RequestOrigin => ({ ip: "", userAgent: `admin CLI on ${os.hostname()}` });

export type AuditRecord = {
  action: AuditAction;
  /** The user whose account it concerns; null for the platform's own keys. */
  accountId: string | null;
  /** What was changed, for a person: `API client "Billing sync" (…id)`. */
  target: string;
  /** What changed, beyond the action: counts, before and after. */
  details?: Record<string, unknown>;
};

/**
 * The INSERT recording one change, for the change's own transaction. The actor's name is read by
 * the statement itself (a user's email at the time), so recording costs no extra round trip.
 */
export function auditEntry(
  by: Auditor,
  { action, accountId, target, details = {} }: AuditRecord,
): Prisma.Sql {
  const origin = by === "operator" ? operatorOrigin() : (by.origin ?? { ip: "", userAgent: "" });
  const actor =
    by === "operator"
      ? Prisma.sql`'operator'`
      : Prisma.sql`COALESCE((SELECT "email" FROM "User" WHERE "id" = ${by.principal.userId}), 'a deleted user')`;
  return Prisma.sql`
    INSERT INTO "AuditEntry" ("id", "createdAt", "accountId", "actor", "ip", "userAgent", "action", "target", "details")
    SELECT ${randomUUID()}, ${new Date()}, ${accountId}, ${actor}, ${origin.ip}, ${origin.userAgent.slice(0, 300)},
      ${action}, ${target}, ${JSON.stringify(details)}`;
}

/** A client as the trail names it. */
export const clientTarget = (client: { id: string; name: string }) =>
  `API client "${client.name}" (${client.id})`;

export const AUDIT_PAGE_SIZE = 50;

/** Which entries to read: one account's (the page) or everyone's (the CLI), newest first, a page at a time. */
export const auditQuery = z.object({
  accountId: z.string().optional(),
  action: z.enum(AUDIT_ACTIONS, `action must be one of: ${AUDIT_ACTIONS.join(", ")}`).optional(),
  since: z.date().optional(),
  /** The last entry of the previous page. */
  before: z.uuid("before must be an entry id the previous page ended with").optional(),
  limit: z.number().int().min(1).max(1000).default(AUDIT_PAGE_SIZE),
});

export type AuditEntry = {
  id: string;
  createdAt: string;
  actor: string;
  ip: string;
  userAgent: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
};

/** One page of entries, newest first, and the id to read the next page `before`. */
export async function listAuditEntries(
  query: z.input<typeof auditQuery>,
): Promise<{ entries: AuditEntry[]; next: string | null }> {
  const { accountId, action, since, before, limit } = auditQuery.parse(query);
  const db = getDb();
  const cursor =
    before && (await db.auditEntry.findUnique({ where: { id: before }, select: { createdAt: true } }));
  const rows = await db.auditEntry.findMany({
    where: {
      ...(query.accountId !== undefined && { accountId }),
      action,
      createdAt: { gte: since },
      ...(cursor && {
        OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: before } }],
      }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    entries: page.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      actor: row.actor,
      ip: row.ip,
      userAgent: row.userAgent,
      action: row.action,
      target: row.target,
      details: JSON.parse(row.details) as Record<string, unknown>,
    })),
    next: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}
