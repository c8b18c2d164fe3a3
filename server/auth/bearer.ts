import { getDb } from "../db";
import { AppError } from "../errors";
import type { Principal } from "./principal";
import { cachedPrincipal } from "./principal-cache";
import { ACTIVITY_WRITE_INTERVAL_MS } from "./sessions";
import { hashToken } from "./tokens";

// `fwh_` tokens and the unprefixed ones issued before them: both are base64url.
const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/**
 * The API client behind an `Authorization: Bearer …` header; 401 when missing, malformed, unknown,
 * revoked, past its rotation grace period, or owned by a disabled user. Only API tokens are looked
 * up here: a session token is never a bearer token.
 */
export async function principalFromBearer(header: string | null): Promise<Principal> {
  const token = header?.match(BEARER)?.[1];
  const tokenHash = token && hashToken(token);
  const principal = tokenHash && (await cachedPrincipal("client", tokenHash, () => findClient(tokenHash)));
  if (!principal) throw new AppError("UNAUTHORIZED");
  return principal;
}

async function findClient(tokenHash: string) {
  const now = new Date();
  const db = getDb();
  const client = await db.apiClient.findFirst({
    where: {
      OR: [{ tokenHash }, { previousTokenHash: tokenHash, previousTokenExpiresAt: { gt: now } }],
      revokedAt: null,
      owner: { disabledAt: null },
    },
    select: { id: true, ownerId: true, tokenHash: true, previousTokenExpiresAt: true, lastUsedAt: true },
  });
  if (!client) return null;
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() > ACTIVITY_WRITE_INTERVAL_MS) {
    await db.apiClient.update({ where: { id: client.id }, data: { lastUsedAt: now } });
  }
  const graceLeftMs =
    client.tokenHash === tokenHash
      ? undefined
      : (client.previousTokenExpiresAt?.getTime() ?? 0) - now.getTime();
  return { principal: { userId: client.ownerId, clientId: client.id }, ttlMs: graceLeftMs };
}
