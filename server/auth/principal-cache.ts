import { LRUCache } from "lru-cache";
import { processSingleton } from "../process-singleton";
import type { Principal } from "./principal";

/**
 * Every API request and tRPC call starts by looking up its credential. Known token hashes are
 * remembered briefly so that lookup is not a query per request. Only hits are cached (a flood of
 * wrong tokens cannot fill it). Entries are keyed by the credential's kind as well as its hash, so a
 * session token can never be taken for an API token or the other way round, whichever was seen first.
 *
 * Revocation forgets the matching entries at once in the process that made it; every other process
 * (another app instance, a worker, after a CLI change) looks the credential up again within
 * CREDENTIAL_TTL_MS — the bound README's Security section promises (5 s).
 */
export const CREDENTIAL_TTL_MS = 3_000;

export type CredentialKind = "session" | "client";

const cache = processSingleton(
  "credential-cache",
  () => new LRUCache<string, Principal>({ max: 10_000, ttl: CREDENTIAL_TTL_MS }),
);
const keyOf = (kind: CredentialKind, tokenHash: string) => `${kind}:${tokenHash}`;

/** `lookup` may shorten the entry's life (a token in its grace period must not outlive it). */
export async function cachedPrincipal(
  kind: CredentialKind,
  tokenHash: string,
  lookup: () => Promise<{ principal: Principal; ttlMs?: number } | null>,
): Promise<Principal | null> {
  const key = keyOf(kind, tokenHash);
  const hit = cache.get(key);
  if (hit) return hit;
  const found = await lookup();
  if (!found) return null;
  const ttl = Math.min(found.ttlMs ?? CREDENTIAL_TTL_MS, CREDENTIAL_TTL_MS);
  if (ttl > 0) cache.set(key, found.principal, { ttl });
  return found.principal;
}

/** Forgets every remembered credential that matches, e.g. all of a user's or one client's. */
export function forgetPrincipals(matches: (principal: Principal) => boolean): void {
  for (const [key, principal] of cache.entries()) if (matches(principal)) cache.delete(key);
}
