/**
 * Sign-in throttling: failed attempts are counted per account and per client address; over the
 * limit, sign-in is refused before any password is hashed. Counts live in this process (an
 * instance behind a load balancer counts its own share).
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { processSingleton } from "../process-singleton";

const WINDOW_SECONDS = 15 * 60;
const limiter = (name: string, points: number) =>
  processSingleton(
    `sign-in-failures-per-${name}`,
    () => new RateLimiterMemory({ points, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS }),
  );
const perAccount = limiter("account", 5);
const perAddress = limiter("address", 30);

/** Milliseconds until sign-in may be tried again for this account or address, or 0. */
export async function signInBlockedForMs(email: string, address: string): Promise<number> {
  const [account, client] = await Promise.all([perAccount.get(email), perAddress.get(address)]);
  const blocked = [
    account && account.consumedPoints >= perAccount.points ? account.msBeforeNext : 0,
    client && client.consumedPoints >= perAddress.points ? client.msBeforeNext : 0,
  ];
  return Math.max(...blocked);
}

export async function recordFailedSignIn(email: string, address: string): Promise<void> {
  await Promise.all(
    [perAccount.consume(email), perAddress.consume(address)].map((consumed) =>
      consumed.catch((error: unknown) => {
        if (!(error instanceof RateLimiterRes)) throw error; // over the limit is expected here
      }),
    ),
  );
}

export const clearFailedSignIns = (email: string) => perAccount.delete(email);

export const tooManyAttemptsMessage = (blockedForMs: number) => {
  const minutes = Math.max(1, Math.ceil(blockedForMs / 60_000));
  return `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
};
