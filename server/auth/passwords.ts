import { hash, verify } from "@node-rs/argon2";
import pLimit from "p-limit";
import { processSingleton } from "../process-singleton";

/**
 * Argon2id with the library's defaults (19 MiB, 2 passes): OWASP's baseline for a memory-hard KDF.
 * Hashes run on libuv's thread pool, which also resolves delivery hostnames, so at most
 * HASH_CONCURRENCY run at once and a burst of sign-ins queues instead of starving deliveries.
 */
const HASH_CONCURRENCY = 2;
/** Beyond this many waiting, sign-in answers "try again" rather than queueing without bound. */
const MAX_WAITING_HASHES = 32;
const hashing = processSingleton("password-hashing", () => pLimit(HASH_CONCURRENCY));

export class PasswordHashingBusyError extends Error {}

function limited<T>(run: () => Promise<T>): Promise<T> {
  if (hashing.pendingCount >= MAX_WAITING_HASHES) return Promise.reject(new PasswordHashingBusyError());
  return hashing(run);
}

export const hashPassword = (password: string): Promise<string> => limited(() => hash(password));

// Verifying against a real hash when the user does not exist keeps sign-in timing the same
// either way, so response time does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hash("not-a-real-password");
  const against = passwordHash ?? (await dummyHash);
  const valid = await limited(() => verify(against, password).catch(() => false));
  return passwordHash !== null && valid;
}
