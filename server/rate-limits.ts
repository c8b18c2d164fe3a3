/** Rate limits as the product answers them: a refusal is a 429 that says when to try again. */
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { tooManyRequests } from "./errors";

/** Takes one point of `key`'s allowance, or throws TOO_MANY_REQUESTS with its Retry-After. */
export async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string): Promise<void> {
  await limiter.consume(key).catch((refusal: unknown) => {
    if (refusal instanceof RateLimiterRes) throw tooManyRequests(refusal.msBeforeNext);
    throw refusal;
  });
}
