/**
 * A webhook's change history: who changed it (a user's email or an API client's name), when, from
 * where, and each field before → after. Secrets appear only as short fingerprints; the snapshot
 * kept for "Restore this version" holds them sealed, bound to the webhook like the live ones.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Principal } from "../auth/principal";
import { sealSecret } from "../crypto/sealed-secrets";
import { Prisma } from "../generated/sqlite/client";
import type { Webhook } from "./webhook";
import { differingFields } from "./webhook-rules";

/** Where a request came from, as the history records it. */
export type RequestOrigin = { ip: string; userAgent: string };

export type ChangeContext = {
  origin?: RequestOrigin;
  /** Decided by the write when absent: "updated", or "secrets-rotated" when only secrets changed. */
  action?: string;
} & (
  | { principal: Principal }
  /** Who acted when no principal did: the delivery worker, the operator's CLI. */
  | { actor: string }
);

export type FieldChange = { field: string; before?: unknown; after?: unknown };

/** Enough to tell secrets apart in the history, nothing to sign with. */
export const secretFingerprint = (secret: string) =>
  `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 12)}`;

const shown = (field: string, value: unknown) =>
  field === "secrets" && Array.isArray(value) ? value.map((s) => secretFingerprint(String(s))) : value;

function fieldChanges(before: Webhook | null, after: Webhook | null): FieldChange[] {
  return differingFields(before, after).map((field) => ({
    field,
    before: shown(field, before?.[field] ?? null),
    after: shown(field, after?.[field] ?? null),
  }));
}

/**
 * The INSERT recording one change, run in the same transaction as the change itself. The actor's
 * name is read by the statement, so recording costs no extra round trip. `onlyIf` makes the
 * record conditional (the optimistic write records only a change that applied); `sealedSecrets`
 * are the after-secrets as the caller already sealed them for its own rows.
 */
export function recordChange(
  context: ChangeContext,
  before: Webhook | null,
  after: Webhook | null,
  extra: FieldChange[] = [],
  {
    id = randomUUID(),
    onlyIf = Prisma.sql`1 = 1`,
    sealedSecrets,
  }: { id?: string; onlyIf?: Prisma.Sql; sealedSecrets?: string[] } = {},
): Prisma.Sql {
  const { origin, action = "updated" } = context;
  const webhook = after ?? before;
  if (!webhook) throw new Error("a change needs the webhook before or after it");
  const actor =
    "actor" in context
      ? Prisma.sql`${context.actor}`
      : Prisma.sql`COALESCE(
          (SELECT "name" || ' (API client)' FROM "ApiClient" WHERE "id" = ${context.principal.clientId}),
          (SELECT "email" FROM "User" WHERE "id" = ${context.principal.userId}),
          'operator')`;
  const snapshot = after && {
    url: after.url,
    events: after.events,
    facilities: after.facilities,
    secrets: sealedSecrets ?? after.secrets.map((secret) => sealSecret(secret, after.id)),
  };
  return Prisma.sql`
    INSERT INTO "WebhookChange" ("id", "webhookId", "clientId", "version", "action", "actor", "ip", "userAgent", "changes", "snapshot", "createdAt")
    SELECT ${id}, ${webhook.id}, ${webhook.clientId}, ${webhook.version}, ${action}, ${actor},
      ${origin?.ip ?? ""}, ${(origin?.userAgent ?? "").slice(0, 300)},
      ${JSON.stringify([...fieldChanges(before, after), ...extra])},
      ${snapshot ? JSON.stringify(snapshot) : null}, ${new Date()}
    WHERE ${onlyIf}`;
}
