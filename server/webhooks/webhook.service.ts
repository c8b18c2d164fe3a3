/**
 * Webhooks: list, read, create, update, delete — with authorization. Knows nothing of HTTP or
 * tRPC; the REST handlers and the tRPC router are thin adapters over these functions.
 */

import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { accessibleFacilityIds, ownedClientIds } from "../access/access";
import type { Principal } from "../auth/principal";
import { openSecret, sealSecret, UnopenableSecretError } from "../crypto/sealed-secrets";
import { type Db, getDb } from "../db";
import { type HealthHour, readHourlyHealth } from "../deliveries/hourly-stats";
import {
  isForbiddenLiteralUrl,
  isForbiddenPort,
  PRIVATE_URL_MESSAGE,
  portMessage,
} from "../deliveries/ssrf-guard";
import { getEnv } from "../env";
import { AppError, webhookNotFound } from "../errors";
import type { Webhook } from "./webhook";
import {
  type CreateWebhookInput,
  type listWebhooksInput,
  type UpdateWebhookInput,
  webhookId as webhookIdSchema,
} from "./webhook.schemas";
import { type FieldChange, type RequestOrigin, recordChange, secretFingerprint } from "./webhook-history";
import { generateSecret } from "./webhook-secret";
import {
  findVisibleId,
  grantedFacilityIds,
  readForUpdate,
  readVisibleWebhookPage,
  readVisibleWebhooks,
  readWebhooks,
  removeWebhook,
  type WebhookFields,
  type WriteOutcome,
  writeWebhook,
} from "./webhook-sql";

export type { Webhook };
/** How a webhook's endpoint is doing, as the workers last recorded it (times as ISO strings). */
export type WebhookHealth = {
  lastSuccessAt: string | null;
  /** Every attempt since then has failed; null while the endpoint is healthy. */
  failingSince: string | null;
  failureStreak: number;
  disabledAt: string | null;
  disabledReason: string | null;
};

/** Attempts in one hour, for a list's sparkline. */
export type HourAttempts = { succeeded: number; failed: number };

/** A webhook as lists show it: never its secrets, which only the edit page of one webhook receives. */
export type WebhookSummary = Omit<Webhook, "secrets"> & {
  health: WebhookHealth;
  /** The last 24 hours' attempts, hour by hour, oldest first. */
  last24h: HourAttempts[];
};

async function healthOf(db: Db, ids: string[]): Promise<Map<string, WebhookHealth>> {
  const rows = await db.webhook.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      lastSuccessAt: true,
      failingSince: true,
      failureStreak: true,
      disabledAt: true,
      disabledReason: true,
    },
  });
  return new Map(
    rows.map(({ id, failureStreak, disabledReason, ...times }) => [
      id,
      {
        failureStreak,
        disabledReason,
        lastSuccessAt: times.lastSuccessAt?.toISOString() ?? null,
        failingSince: times.failingSince?.toISOString() ?? null,
        disabledAt: times.disabledAt?.toISOString() ?? null,
      },
    ]),
  );
}

const positioned = <K extends string>(key: K, values: string[]) =>
  values.map((value, position) => ({ [key]: value, position }) as Record<K, string> & { position: number });

/** `[]` means every facility the user can access; any other id must be one of them (403 otherwise). */
async function resolveFacilities(db: Db, userId: string, requested: string[]): Promise<string[]> {
  if (requested.length === 0) return accessibleFacilityIds(db, userId);
  return onlyGranted(requested, await grantedFacilityIds(db, userId, requested));
}

function onlyGranted(requested: string[], granted: Set<string>): string[] {
  const refused = requested.filter((id) => !granted.has(id));
  // The REST body stays the contract's fixed 403; the browser shows this message.
  if (refused.length)
    throw new AppError("FORBIDDEN", `You do not have access to facility ${refused.join(", ")}`);
  return requested;
}

/**
 * An update's checks, on one read: the webhook (404 unless visible), then the facilities it names
 * (403). Answers the webhook as it stands, for the write.
 */
async function authorizeUpdate(
  db: Db,
  principal: Principal,
  webhookId: string,
  requested: string[] | undefined,
): Promise<{ current: Webhook; facilities?: string[] }> {
  if (!webhookIdSchema.safeParse(webhookId).success) throw webhookNotFound();
  const { current, granted } = await readForUpdate(db, principal, webhookId, requested);
  if (!current) throw webhookNotFound();
  if (!requested) return { current };
  return { current, facilities: requested.length ? onlyGranted(requested, new Set(granted)) : granted };
}

/** Saving a URL that could never be delivered to (a private IP literal, a port not allowed) is refused up front. */
function assertDeliverableUrl(url: string | undefined) {
  const { WEBHOOK_ALLOWED_HOSTS: hosts, WEBHOOK_ALLOWED_PORTS: ports } = getEnv();
  if (url && isForbiddenLiteralUrl(url, hosts)) throw new AppError("BAD_REQUEST", [PRIVATE_URL_MESSAGE]);
  if (url && isForbiddenPort(url, hosts, ports)) throw new AppError("BAD_REQUEST", [portMessage(ports)]);
}

/** The webhook's id if the principal may see it; 404 otherwise, and for an id that is not a UUID. */
export async function findVisibleWebhookId(db: Db, principal: Principal, webhookId: string): Promise<string> {
  const id = webhookIdSchema.safeParse(webhookId).success && (await findVisibleId(db, principal, webhookId));
  if (!id) throw webhookNotFound();
  return id;
}

/** Every webhook the caller can see (the public API's list, which has no paging). */
export function listWebhooks({ principal }: { principal: Principal }): Promise<Webhook[]> {
  return readVisibleWebhooks(getDb(), principal);
}

/** One page of the caller's webhooks for the admin list, filtered by facility and event. */
export async function listWebhooksPage({
  principal,
  input,
}: {
  principal: Principal;
  input: z.output<typeof listWebhooksInput>;
}): Promise<{ items: WebhookSummary[]; nextCursor: string | null }> {
  const { cursor, ...page } = input;
  const db = getDb();
  const { webhooks, next } = await readVisibleWebhookPage(db, principal, { after: cursor, ...page });
  const ids = webhooks.map(({ id }) => id);
  const [health, hours] = await Promise.all([healthOf(db, ids), readHourlyHealth(db, ids, 24)]);
  return {
    items: webhooks.flatMap((summary) => {
      const of = health.get(summary.id);
      const last24h = (hours.get(summary.id) ?? []).map(({ succeeded, failed }) => ({ succeeded, failed }));
      return of ? [{ ...summary, health: of, last24h }] : [];
    }),
    nextCursor: next,
  };
}

export async function getWebhook({ principal, webhookId }: { principal: Principal; webhookId: string }) {
  const db = getDb();
  const [webhook] = await readWebhooks(db, [await findVisibleWebhookId(db, principal, webhookId)]);
  if (!webhook) throw webhookNotFound();
  return webhook;
}

/** The edit page's charts: the webhook's last `hours` of attempts, hour by hour. */
export async function getWebhookHealthHours({
  principal,
  webhookId,
  hours,
}: {
  principal: Principal;
  webhookId: string;
  hours: 24 | 168;
}): Promise<HealthHour[]> {
  const db = getDb();
  const id = await findVisibleWebhookId(db, principal, webhookId);
  return (await readHourlyHealth(db, [id], hours)).get(id) ?? [];
}

/** The edit page's read: the webhook and its endpoint's health, after one visibility check. */
export async function getWebhookWithHealth({
  principal,
  webhookId,
}: {
  principal: Principal;
  webhookId: string;
}): Promise<{ webhook: Webhook; health: WebhookHealth }> {
  const db = getDb();
  const id = await findVisibleWebhookId(db, principal, webhookId);
  const [[webhook], health] = await Promise.all([readWebhooks(db, [id]), healthOf(db, [id])]);
  const ofWebhook = health.get(id);
  if (!webhook || !ofWebhook) throw webhookNotFound();
  return { webhook, health: ofWebhook };
}

/**
 * Turns deliveries back on for a webhook the workers disabled, with a clean failure streak;
 * recorded in its change history. Events published while it was disabled are not sent.
 */
export async function reenableWebhook({
  principal,
  webhookId,
  origin,
}: {
  principal: Principal;
  webhookId: string;
  origin?: RequestOrigin;
}): Promise<void> {
  const webhook = await getWebhook({ principal, webhookId });
  const db = getDb();
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhook.updateMany({
      where: { id: webhook.id, disabledAt: { not: null } },
      data: { disabledAt: null, disabledReason: null, failingSince: null, failureStreak: 0 },
    });
    if (count === 0) return; // not disabled (any more): nothing to record
    await tx.$executeRaw(
      recordChange({ principal, origin, action: "re-enabled" }, webhook, webhook, [
        { field: "disabled", before: "disabled", after: null },
      ]),
    );
  });
}

/**
 * An API client creates webhooks for itself. A signed-in user names which of their clients will own
 * it (`clientId`); a client they do not own is reported as not found. Checks run before the one
 * (atomic, nested) write, so a refused create creates nothing.
 */
export async function createWebhook({
  principal,
  input,
  clientId,
  origin,
}: {
  principal: Principal;
  input: CreateWebhookInput;
  clientId?: string;
  origin?: RequestOrigin;
}): Promise<Webhook> {
  assertDeliverableUrl(input.url);
  const db = getDb();
  const ownerClientId = principal.clientId ?? (await findOwnedClientId(db, principal.userId, clientId));
  const facilities = await resolveFacilities(db, principal.userId, input.facilities ?? []);
  await assertBelowWebhookLimit(db, ownerClientId);
  // The id is chosen here because each secret is sealed bound to it.
  const webhook: Webhook = {
    id: randomUUID(),
    url: input.url,
    events: input.events,
    clientId: ownerClientId,
    facilities,
    secrets: input.secrets ?? [generateSecret()],
    version: 1,
  };
  await db.$transaction([
    db.webhook.create({
      data: {
        id: webhook.id,
        url: webhook.url,
        clientId: ownerClientId,
        events: { createMany: { data: positioned("event", webhook.events) } },
        facilities: { createMany: { data: positioned("facilityId", facilities) } },
        secrets: {
          createMany: {
            data: positioned(
              "value",
              webhook.secrets.map((secret) => sealSecret(secret, webhook.id)),
            ),
          },
        },
      },
      select: { id: true },
    }),
    db.$executeRaw(recordChange({ principal, origin, action: "created" }, null, webhook)),
  ]);
  return webhook;
}

/**
 * A client's webhooks are bounded (MAX_WEBHOOKS_PER_CLIENT), so its list and every fan-out stay
 * bounded too. Two creates racing at the limit may both pass: the bound is a guard, not a quota.
 */
async function assertBelowWebhookLimit(db: Db, clientId: string) {
  const max = getEnv().MAX_WEBHOOKS_PER_CLIENT;
  if ((await db.webhook.count({ where: { clientId } })) >= max) {
    throw new AppError("BAD_REQUEST", [`a client may have at most ${max} webhooks: delete one first`]);
  }
}

async function findOwnedClientId(db: Db, userId: string, clientId: string | undefined): Promise<string> {
  const client = clientId
    ? await db.apiClient.findFirst({
        where: { id: clientId, ownerId: userId, revokedAt: null },
        select: { id: true },
      })
    : null;
  if (!client) throw new AppError("NOT_FOUND", "API client not found");
  return client.id;
}

const modifiedMeanwhile = () => new AppError("PRECONDITION_FAILED", "Webhook was modified by someone else");

/** The written webhook, or the refusal the outcome calls for. */
function written(outcome: WriteOutcome): Webhook {
  if (outcome.status === "missing") throw webhookNotFound(); // deleted since it was checked
  if (outcome.status === "conflict") throw modifiedMeanwhile();
  return outcome.webhook;
}

/**
 * Absent fields stay as they are. The checks (404, then 403) run before any write, so a refused
 * update changes nothing. With `expectedVersion` (REST If-Match, the form's version) a webhook
 * changed since that version is refused (412) and nothing is written.
 */
export async function updateWebhook({
  principal,
  webhookId,
  input,
  expectedVersion,
  origin,
  action,
}: {
  principal: Principal;
  webhookId: string;
  input: UpdateWebhookInput;
  expectedVersion?: number;
  origin?: RequestOrigin;
  /** What the history calls the change, when it is not a plain update (a restore). */
  action?: string;
}): Promise<Webhook> {
  assertDeliverableUrl(input.url);
  const db = getDb();
  const { current, facilities } = await authorizeUpdate(db, principal, webhookId, input.facilities);
  return written(
    await writeWebhook(
      db,
      current,
      { ...input, facilities },
      { expectedVersion, change: { principal, origin, action } },
    ),
  );
}

export async function deleteWebhook({
  principal,
  webhookId,
  expectedVersion,
  origin,
}: {
  principal: Principal;
  webhookId: string;
  expectedVersion?: number;
  origin?: RequestOrigin;
}): Promise<void> {
  const db = getDb();
  const id = await findVisibleWebhookId(db, principal, webhookId);
  written(await removeWebhook(db, id, { expectedVersion, change: { principal, origin } }));
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
      where: principal.clientId ? { id: principal.clientId } : { ownerId: principal.userId, revokedAt: null },
      select: { id: true, name: true },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  return { facilities, clients };
}

export type WebhookHistoryEntry = {
  id: string;
  webhookId: string;
  version: number;
  action: string;
  actor: string;
  ip: string;
  userAgent: string;
  changes: FieldChange[];
  createdAt: string;
  /** Whether "Restore this version" can put this state back (not for a deletion). */
  restorable: boolean;
  /**
   * Fingerprints of this version's secrets, so a restore can say which it would bring back; null
   * when there is no snapshot or its secrets cannot be opened (sealed with a key no longer held).
   */
  secrets: string[] | null;
};

type Snapshot = Required<WebhookFields>;

/** This version's secrets, opened; null when any is sealed with a key this server no longer has. */
function snapshotSecrets(snapshot: Snapshot, webhookId: string): string[] | null {
  try {
    return snapshot.secrets.map((sealed) => openSecret(sealed, webhookId));
  } catch (error) {
    if (error instanceof UnopenableSecretError) return null;
    throw error;
  }
}

/**
 * A webhook's changes, newest first — deleted webhooks' included, so only by owner: a client reads
 * its own webhooks' history, a user that of the clients they own. 404 when there is none to see.
 */
export async function listWebhookHistory({
  principal,
  webhookId,
  limit,
  offset,
}: {
  principal: Principal;
  webhookId: string;
  limit: number;
  offset: number;
}): Promise<WebhookHistoryEntry[]> {
  if (!webhookIdSchema.safeParse(webhookId).success) throw webhookNotFound();
  const db = getDb();
  const owners = principal.clientId ? [principal.clientId] : await ownedClientIds(db, principal.userId);
  const where = { webhookId, clientId: { in: owners } };
  const rows = await db.webhookChange.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { version: "desc" }, { id: "asc" }],
    take: limit,
    skip: offset,
  });
  // Paging past the end answers []; a webhook with no history the caller may see does not exist for them.
  if (rows.length === 0 && (await db.webhookChange.count({ where })) === 0) throw webhookNotFound();
  return rows.map(({ snapshot, changes, createdAt, clientId: _, ...row }) => ({
    ...row,
    changes: JSON.parse(changes) as FieldChange[],
    createdAt: createdAt.toISOString(),
    restorable: snapshot !== null,
    secrets: snapshot
      ? (snapshotSecrets(JSON.parse(snapshot) as Snapshot, webhookId)?.map(secretFingerprint) ?? null)
      : null,
  }));
}

/**
 * Puts a recorded version back: a new change through the same checks as any update (facility
 * access, the URL rules, the version the admin saw), recorded as "restored". Today's secrets stay
 * unless `withSecrets` asks for the version's too: a secret rotated out after a leak must not come
 * back with an old URL.
 */
export async function restoreWebhookVersion({
  principal,
  webhookId,
  changeId,
  expectedVersion,
  withSecrets = false,
  origin,
}: {
  principal: Principal;
  webhookId: string;
  changeId: string;
  expectedVersion?: number;
  withSecrets?: boolean;
  origin?: RequestOrigin;
}): Promise<Webhook> {
  const id = await findVisibleWebhookId(getDb(), principal, webhookId);
  const change = await getDb().webhookChange.findFirst({ where: { id: changeId, webhookId: id } });
  if (!change?.snapshot) throw new AppError("NOT_FOUND", "That version cannot be restored");
  const snapshot = JSON.parse(change.snapshot) as Snapshot;
  const secrets = withSecrets ? snapshotSecrets(snapshot, id) : undefined;
  if (secrets === null) {
    throw new AppError(
      "BAD_REQUEST",
      "That version's secrets are sealed with a key this server no longer has: restore it keeping today's secrets",
    );
  }
  return updateWebhook({
    principal,
    webhookId: id,
    input: {
      url: snapshot.url,
      events: snapshot.events as UpdateWebhookInput["events"],
      facilities: snapshot.facilities,
      ...(secrets && { secrets }),
    },
    expectedVersion,
    origin,
    action: "restored",
  });
}
