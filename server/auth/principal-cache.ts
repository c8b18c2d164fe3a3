import { LRUCache } from "lru-cache";
import type { Principal } from "./principal";

/**
 * Every API request and tRPC call starts by looking up its credential. Known token hashes are
 * remembered for a short time so that lookup is not a query per request. Only hits are cached (a
 * flood of wrong tokens cannot fill it). Sign-out removes its entry here at once; another app
 * instance may honour a removed credential until the entry expires, at most PRINCIPAL_TTL_MS.
 */
export const PRINCIPAL_TTL_MS = 30_000;

const cache = new LRUCache<string, Principal>({ max: 10_000, ttl: PRINCIPAL_TTL_MS });

export async function cachedPrincipal(
  tokenHash: string,
  lookup: () => Promise<Principal | null>,
): Promise<Principal | null> {
  const hit = cache.get(tokenHash);
  if (hit) return hit;
  const principal = await lookup();
  if (principal) cache.set(tokenHash, principal);
  return principal;
}

export const forgetPrincipal = (tokenHash: string) => cache.delete(tokenHash);
