import { getDb } from "../db";
import { getEnv } from "../env";
import { verifyPassword } from "./passwords";
import type { Principal } from "./principal";
import { cachedPrincipal, forgetPrincipal, PRINCIPAL_TTL_MS } from "./principal-cache";
import { generateToken, hashToken } from "./tokens";

export const SESSION_COOKIE = "session";

/** Returns a new session token for valid credentials, or null: callers must not say which part was wrong. */
export async function signIn(
  email: string,
  password: string,
): Promise<{ token: string; expiresAt: Date } | null> {
  const user = await getDb().user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) return null;
  const token = generateToken();
  const expiresAt = new Date(Date.now() + getEnv().SESSION_TTL_HOURS * 3_600_000);
  await getDb().session.create({ data: { tokenHash: hashToken(token), userId: user.id, expiresAt } });
  return { token, expiresAt };
}

export async function signOut(token: string): Promise<void> {
  const tokenHash = hashToken(token);
  forgetPrincipal(tokenHash);
  await getDb().session.deleteMany({ where: { tokenHash } });
}

export async function principalFromSession(token: string | undefined): Promise<Principal | null> {
  if (!token) return null;
  const tokenHash = hashToken(token);
  return cachedPrincipal(tokenHash, async () => {
    const session = await getDb().session.findUnique({ where: { tokenHash } });
    // Refused from PRINCIPAL_TTL_MS before expiry, so a cached session never outlives it.
    if (!session || session.expiresAt.getTime() - PRINCIPAL_TTL_MS <= Date.now()) return null;
    return { userId: session.userId, clientId: null };
  });
}

export async function sessionUser(token: string | undefined) {
  const principal = await principalFromSession(token);
  if (!principal) return null;
  return getDb().user.findUnique({ where: { id: principal.userId }, select: { id: true, email: true } });
}
