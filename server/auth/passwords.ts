import { hash, verify } from "@node-rs/argon2";

// Argon2id with the library's defaults (19 MiB, 2 passes): OWASP's baseline for a memory-hard KDF.
export const hashPassword = (password: string): Promise<string> => hash(password);

// Verifying against a real hash when the user does not exist keeps sign-in timing the same
// either way, so response time does not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  dummyHash ??= hash("not-a-real-password");
  const valid = await verify(passwordHash ?? (await dummyHash), password).catch(() => false);
  return passwordHash !== null && valid;
}
