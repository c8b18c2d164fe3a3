import { createHash, timingSafeEqual } from "node:crypto";
import { getEnv } from "../env";
import { AppError } from "../errors";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Whether an `Authorization` header carries `key` as its bearer token, compared in constant time
 * (as digests, so not even the length shows). No key configured: nothing matches.
 */
export function bearerMatches(header: string | null, key: string | undefined): boolean {
  const given = header?.match(/^Bearer (\S+)$/)?.[1];
  return !!key && !!given && timingSafeEqual(digest(given), digest(key));
}

/**
 * The internal endpoints belong to the platform's operators, not to API clients: they take the
 * OPERATOR_KEY as a bearer token. Without a configured key they refuse everyone.
 */
export function authenticateOperator(header: string | null): void {
  if (!bearerMatches(header, getEnv().OPERATOR_KEY)) throw new AppError("UNAUTHORIZED");
}
