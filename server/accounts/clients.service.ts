/**
 * API clients: issued, listed, renamed, rotated and revoked — by their owner in the browser, or by
 * an operator through the CLI. A token is returned once, when issued; only its hash is stored.
 * Every change that stops a token forgets it in this process at once (other processes within the
 * credential cache's TTL).
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type Auditor, auditEntry, clientTarget } from "../audit/audit";
import type { Principal } from "../auth/principal";
import { forgetPrincipals } from "../auth/principal-cache";
import { generateApiToken, hashToken } from "../auth/tokens";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError, parseInput } from "../errors";
import type { RequestOrigin } from "../webhooks/webhook-history";

/** Who manages a client: its owner (a signed-in user), or an operator at the CLI. */
export type ClientManager = Principal | "operator";

const auditorOf = (manager: ClientManager, origin?: RequestOrigin): Auditor =>
  manager === "operator" ? "operator" : { principal: manager, origin };

export const MAX_ROTATION_GRACE_HOURS = 24;

export const clientNameInput = z
  .string()
  .trim()
  .min(1, "client name must not be empty")
  .max(200, "client name must be at most 200 characters");

export const rotationGraceInput = z
  .number({ error: `grace must be a number of hours from 0 to ${MAX_ROTATION_GRACE_HOURS}` })
  .int("grace must be a whole number of hours")
  .min(0, "grace must not be negative")
  .max(MAX_ROTATION_GRACE_HOURS, `grace must be at most ${MAX_ROTATION_GRACE_HOURS} hours`);

const clientNotFound = (clientId: string) => new AppError("NOT_FOUND", `API client not found: ${clientId}`);

/** The client, if the manager may manage it and it is not revoked; 404 otherwise. */
async function managedClient(manager: ClientManager, clientId: string) {
  const client = z.uuid().safeParse(clientId).success
    ? await getDb().apiClient.findFirst({
        where: { id: clientId, revokedAt: null, ...(manager !== "operator" && { ownerId: manager.userId }) },
        select: { id: true, name: true, ownerId: true },
      })
    : null;
  if (!client || (manager !== "operator" && manager.clientId !== null)) throw clientNotFound(clientId);
  return client;
}

/**
 * A new client for the owner, within MAX_CLIENTS_PER_USER (revoked ones not counted): each client
 * may have MAX_WEBHOOKS_PER_CLIENT webhooks, so this bounds how many one admin puts on a facility.
 */
export async function createClient({ ownerId, name, by }: { ownerId: string; name: string; by: Auditor }) {
  const max = getEnv().MAX_CLIENTS_PER_USER;
  const db = getDb();
  if ((await db.apiClient.count({ where: { ownerId, revokedAt: null } })) >= max) {
    throw new AppError(
      "BAD_REQUEST",
      `a user may have at most ${max} API clients: revoke one you no longer use first`,
    );
  }
  const token = generateApiToken();
  const client = { id: randomUUID(), name: parseInput(clientNameInput, name) };
  await db.$transaction([
    db.apiClient.create({ data: { ...client, ownerId, tokenHash: hashToken(token) } }),
    db.$executeRaw(
      auditEntry(by, { action: "client.created", accountId: ownerId, target: clientTarget(client) }),
    ),
  ]);
  return { clientId: client.id, token };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The user's clients, the revoked ones last; times as ISO strings (what JSON carries anyway). */
export async function listClients({ principal }: { principal: Principal }) {
  const clients = await getDb().apiClient.findMany({
    where: { ownerId: principal.userId },
    select: {
      id: true,
      name: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      previousTokenExpiresAt: true,
      _count: { select: { webhooks: true } },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const now = Date.now();
  return clients
    .map(({ _count, previousTokenExpiresAt, ...client }) => ({
      id: client.id,
      name: client.name,
      createdAt: client.createdAt.toISOString(),
      lastUsedAt: iso(client.lastUsedAt),
      revokedAt: iso(client.revokedAt),
      webhookCount: _count.webhooks,
      previousTokenValidUntil:
        previousTokenExpiresAt && previousTokenExpiresAt.getTime() > now
          ? previousTokenExpiresAt.toISOString()
          : null,
    }))
    .sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

export async function renameClient({
  manager,
  clientId,
  name,
  origin,
}: {
  manager: ClientManager;
  clientId: string;
  name: string;
  origin?: RequestOrigin;
}) {
  const newName = parseInput(clientNameInput, name);
  const client = await managedClient(manager, clientId);
  const db = getDb();
  await db.$transaction([
    db.apiClient.update({ where: { id: client.id }, data: { name: newName } }),
    db.$executeRaw(
      auditEntry(auditorOf(manager, origin), {
        action: "client.renamed",
        accountId: client.ownerId,
        target: clientTarget({ id: client.id, name: newName }),
        details: { from: client.name, to: newName },
      }),
    ),
  ]);
}

/**
 * A new token for the client. The old one stops at once, or keeps working for `graceHours` (so an
 * integrator can deploy the new one first); a grace from an earlier rotation ends now.
 */
export async function rotateClientToken({
  manager,
  clientId,
  graceHours = 0,
  origin,
}: {
  manager: ClientManager;
  clientId: string;
  graceHours?: number;
  origin?: RequestOrigin;
}): Promise<{ clientId: string; token: string; previousTokenValidUntil: string | null }> {
  const grace = parseInput(rotationGraceInput, graceHours);
  const client = await managedClient(manager, clientId);
  const db = getDb();
  const { tokenHash: oldHash } = await db.apiClient.findUniqueOrThrow({
    where: { id: client.id },
    select: { tokenHash: true },
  });
  const token = generateApiToken();
  const previousTokenValidUntil = grace > 0 ? new Date(Date.now() + grace * 3_600_000) : null;
  await db.$transaction([
    db.apiClient.update({
      where: { id: client.id },
      data: {
        tokenHash: hashToken(token),
        previousTokenHash: previousTokenValidUntil ? oldHash : null,
        previousTokenExpiresAt: previousTokenValidUntil,
      },
    }),
    db.$executeRaw(
      auditEntry(auditorOf(manager, origin), {
        action: "client.token-rotated",
        accountId: client.ownerId,
        target: clientTarget(client),
        details: { previousTokenValidUntil: iso(previousTokenValidUntil) },
      }),
    ),
  ]);
  if (!previousTokenValidUntil) forgetPrincipals((p) => p.clientId === client.id);
  return { clientId: client.id, token, previousTokenValidUntil: iso(previousTokenValidUntil) };
}

/** Stops the client for good: its tokens answer 401 and its webhooks receive nothing more. */
export async function revokeClient({
  manager,
  clientId,
  origin,
}: {
  manager: ClientManager;
  clientId: string;
  origin?: RequestOrigin;
}) {
  const client = await managedClient(manager, clientId);
  const db = getDb();
  await db.$transaction([
    db.apiClient.update({
      where: { id: client.id },
      data: { revokedAt: new Date(), previousTokenHash: null, previousTokenExpiresAt: null },
    }),
    db.$executeRaw(
      auditEntry(auditorOf(manager, origin), {
        action: "client.revoked",
        accountId: client.ownerId,
        target: clientTarget(client),
      }),
    ),
  ]);
  forgetPrincipals((p) => p.clientId === client.id);
  return client;
}
