import { createHash, timingSafeEqual } from "node:crypto";
import { getEnv } from "../env";
import { AppError } from "../errors";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * The internal endpoints belong to the platform's operators, not to API clients: they take the
 * OPERATOR_KEY as a bearer token (compared in constant time). Without a configured key they
 * refuse everyone.
 */
export function authenticateOperator(header: string | null): void {
  const key = getEnv().OPERATOR_KEY;
  const given = header?.match(/^Bearer (\S+)$/)?.[1];
  if (!key || !given || !timingSafeEqual(digest(given), digest(key))) throw new AppError("UNAUTHORIZED");
}
