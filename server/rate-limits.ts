/**
 * Rate limits as the product answers them: a refusal is a 429 that says when to try again.
 *
 * Where the counters live: on PostgreSQL, where production runs several instances, in the database
 * (rate-limiter-flexible's Prisma store, the `RateLimit` table), so a limit holds across every
 * instance; on the embedded SQLite default, one process serves everything and counts in memory.
 */
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPrisma,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { getDb } from "./db";
import { getEnv } from "./env";
import { tooManyRequests } from "./errors";
import { processSingleton } from "./process-singleton";

type LimitOptions = {
  /** Points (attempts) allowed per `durationSeconds`. */
  points: number;
  durationSeconds: number;
  /** Once over the limit, the key stays refused this long (default: until the window ends). */
  blockSeconds?: number;
};

/**
 * The limiter called `name`, one per process, counting where every instance sees the same count.
 * If the database cannot be reached, it counts in memory meanwhile rather than refusing everyone.
 */
export function sharedLimiter(name: string, { points, durationSeconds, blockSeconds = 0 }: LimitOptions) {
  return processSingleton(`rate-limit-${name}`, (): RateLimiterAbstract => {
    const options = { keyPrefix: name, points, duration: durationSeconds, blockDuration: blockSeconds };
    if (getEnv().provider !== "postgresql") return new RateLimiterMemory(options);
    return new RateLimiterPrisma({
      ...options,
      storeClient: getDb(),
      tableName: "rateLimit",
      // A key once refused is refused from memory until its window or block ends: no query per refusal.
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  });
}

/** Takes one point of `key`'s allowance, or throws TOO_MANY_REQUESTS with its Retry-After. */
export async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string): Promise<void> {
  await limiter.consume(key).catch((refusal: unknown) => {
    throw refusal instanceof RateLimiterRes ? tooManyRequests(refusal.msBeforeNext) : refusal;
  });
}

/** Requests per minute one credential (an API client, or a signed-in user in the browser) may make. */
export async function enforceRequestRate(credential: string): Promise<void> {
  const points = getEnv().API_RATE_LIMIT_PER_MINUTE;
  if (points === 0) return;
  await consumeOrRefuse(
    sharedLimiter("requests-per-credential", { points, durationSeconds: 60 }),
    credential,
  );
}
