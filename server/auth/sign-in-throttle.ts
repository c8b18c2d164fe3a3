/**
 * Sign-in throttling. An attempt is counted before its password is hashed (and given back when it
 * succeeds), so concurrent guesses cannot outrun the count. Per address (30 per 15 minutes), and
 * per account (5) — except from a browser that holds the account's device cookie, which counts
 * its own 5: failures from elsewhere never lock the owner out of their own browser. On
 * PostgreSQL the counts are shared by every instance (see rate-limits.ts).
 */
import { RateLimiterRes } from "rate-limiter-flexible";
import { sharedLimiter } from "../rate-limits";

const WINDOW_SECONDS = 15 * 60;
const limiter = (name: string, points: number) =>
  sharedLimiter(`sign-in-${name}`, { points, durationSeconds: WINDOW_SECONDS, blockSeconds: WINDOW_SECONDS });

export type SignInAttempt =
  | { blockedForMs: number }
  | {
      /** The attempt did not count against anyone (it succeeded, or never tested a password). */
      release: (options: { succeeded: boolean }) => Promise<void>;
    };

/**
 * Counts one attempt from `address` at the account (or the account's trusted `device`), or says
 * how long until one may be tried. `accountKey` is null for an email no account can have.
 */
export async function reserveSignInAttempt({
  accountKey,
  device,
  address,
}: {
  accountKey: string | null;
  device: string | null;
  address: string;
}): Promise<SignInAttempt> {
  const perAddress = limiter("address", 30);
  const perAccount = device ? limiter("device", 5) : limiter("account", 5);
  const accountCounter = device ?? accountKey;
  const counted = [
    { limiter: perAddress, key: address },
    ...(accountCounter ? [{ limiter: perAccount, key: accountCounter }] : []),
  ];
  const outcomes = await Promise.allSettled(counted.map(({ limiter, key }) => limiter.consume(key)));
  const refusals = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
  const unexpected = refusals.find((refusal) => !(refusal instanceof RateLimiterRes));
  if (unexpected) throw unexpected;
  if (refusals.length) {
    return { blockedForMs: Math.max(...refusals.map((r: RateLimiterRes) => r.msBeforeNext)) };
  }
  return {
    release: async ({ succeeded }) => {
      await perAddress.reward(address, 1);
      // A success clears the account's (or device's) earlier failures: its owner knows the password.
      if (accountCounter) {
        await (succeeded ? perAccount.delete(accountCounter) : perAccount.reward(accountCounter, 1));
      }
    },
  };
}

export const tooManyAttemptsMessage = (blockedForMs: number) => {
  const minutes = Math.max(1, Math.ceil(blockedForMs / 60_000));
  return `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
};
