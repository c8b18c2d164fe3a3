import { type Auditor, auditEntry } from "../audit/audit";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";
import type { RequestOrigin } from "../webhooks/webhook-history";
import { MAX_EMAIL_LENGTH } from "./credential-limits";
import { accountKeyOf, issueDeviceToken, trustedDeviceId } from "./device-cookie";
import { PasswordHashingBusyError, verifyPassword } from "./passwords";
import type { Principal } from "./principal";
import { cachedPrincipal, forgetPrincipals } from "./principal-cache";
import { reserveSignInAttempt, tooManyAttemptsMessage } from "./sign-in-throttle";
import { generateToken, hashToken } from "./tokens";

/** "Last seen" and "last used" are written at most this often per credential, not per request. */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export type SignInResult =
  | {
      ok: true;
      token: string;
      expiresAt: Date;
      /** The browser's device cookie for this account (see device-cookie.ts), renewed at each sign-in. */
      deviceToken: string;
    }
  | { ok: false; error: string };

const WRONG = { ok: false, error: "Invalid email or password" } as const;

/**
 * A new session for valid credentials. Refusals never say which part was wrong; every attempt is
 * counted before any password is hashed (see sign-in-throttle.ts).
 */
export async function signIn({
  email,
  password,
  address = "unknown",
  userAgent = "",
  deviceToken,
}: {
  email: string;
  password: string;
  address?: string;
  userAgent?: string;
  /** The browser's device cookie, if it has one. */
  deviceToken?: string;
}): Promise<SignInResult> {
  const normalized = email.trim().toLowerCase();
  // No stored email is longer or holds NUL (the database refuses it): such an address is only a
  // wrong one, and nothing of it is kept — not even as a throttle key.
  const possible = normalized.length <= MAX_EMAIL_LENGTH && !normalized.includes("\0");
  const accountKey = possible ? accountKeyOf(normalized) : null;
  const attempt = await reserveSignInAttempt({
    accountKey,
    device: accountKey && trustedDeviceId(deviceToken, accountKey),
    address: address.slice(0, 100),
  });
  if ("blockedForMs" in attempt) return { ok: false, error: tooManyAttemptsMessage(attempt.blockedForMs) };
  if (!accountKey) return WRONG;
  const user = await getDb().user.findUnique({ where: { email: normalized } });
  let valid: boolean;
  try {
    valid = await verifyPassword(user?.passwordHash ?? null, password);
  } catch (error) {
    if (!(error instanceof PasswordHashingBusyError)) throw error;
    await attempt.release({ succeeded: false }); // no password was tested
    return { ok: false, error: tooManyAttemptsMessage(60_000) };
  }
  if (!valid || !user || user.disabledAt) return WRONG;
  await attempt.release({ succeeded: true });
  const token = generateToken();
  const expiresAt = new Date(Date.now() + getEnv().SESSION_TTL_HOURS * 3_600_000);
  await getDb().session.create({
    data: { tokenHash: hashToken(token), userId: user.id, expiresAt, userAgent: userAgent.slice(0, 300) },
  });
  return { ok: true, token, expiresAt, deviceToken: issueDeviceToken(accountKey) };
}

export async function signOut(token: string): Promise<void> {
  await endSessions({ tokenHash: hashToken(token) });
}

export async function principalFromSession(token: string | undefined): Promise<Principal | null> {
  if (!token) return null;
  const tokenHash = hashToken(token);
  return cachedPrincipal("session", tokenHash, async () => {
    const session = await getDb().session.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        userId: true,
        expiresAt: true,
        lastSeenAt: true,
        user: { select: { disabledAt: true } },
      },
    });
    const now = Date.now();
    if (!session || session.user.disabledAt || session.expiresAt.getTime() <= now) return null;
    if (now - session.lastSeenAt.getTime() > ACTIVITY_WRITE_INTERVAL_MS) {
      await getDb().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
    }
    return {
      principal: { userId: session.userId, clientId: null, sessionId: session.id },
      ttlMs: session.expiresAt.getTime() - now, // never remembered past its expiry
    };
  });
}

export async function sessionUser(token: string | undefined) {
  const principal = await principalFromSession(token);
  if (!principal) return null;
  const user = await getDb().user.findUnique({
    where: { id: principal.userId },
    select: { id: true, email: true },
  });
  return user && { ...user, principal };
}

/** Ends the matching sessions: in this process at once, in others within the credential cache's TTL. */
async function endSessions(
  where: {
    id?: string;
    tokenHash?: string;
    userId?: string;
    NOT?: { id: string };
  },
  /** Who ended them, for the audit trail (signing out of one's own browser is not recorded). */
  by?: Auditor,
): Promise<number> {
  const db = getDb();
  const ended = await db.session.findMany({ where, select: { id: true, userId: true, userAgent: true } });
  const ids = new Set(ended.map((s) => s.id));
  const audit = by
    ? ended.map((session) =>
        db.$executeRaw(
          auditEntry(by, {
            action: "session.ended",
            accountId: session.userId,
            target: `session ${session.id.slice(0, 8)} (${session.userAgent || "unknown browser"})`,
          }),
        ),
      )
    : [];
  await db.$transaction([db.session.deleteMany({ where: { id: { in: [...ids] } } }), ...audit]);
  forgetPrincipals((principal) => principal.sessionId !== undefined && ids.has(principal.sessionId));
  return ids.size;
}

/** The signed-in user's active sessions, newest activity first, the current one marked. */
export async function listSessions({ principal }: { principal: Principal }) {
  const sessions = await getDb().session.findMany({
    where: { userId: principal.userId, expiresAt: { gt: new Date() } },
    select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
  });
  return sessions.map((s) => ({
    id: s.id,
    userAgent: s.userAgent,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    current: s.id === principal.sessionId,
  }));
}

export async function endSession({
  principal,
  sessionId,
  origin,
}: {
  principal: Principal;
  sessionId: string;
  origin?: RequestOrigin;
}) {
  if ((await endSessions({ id: sessionId, userId: principal.userId }, { principal, origin })) === 0) {
    throw new AppError("NOT_FOUND", "Session not found");
  }
}

export async function endOtherSessions({
  principal,
  origin,
}: {
  principal: Principal;
  origin?: RequestOrigin;
}): Promise<number> {
  return endSessions(
    { userId: principal.userId, NOT: { id: principal.sessionId ?? "" } },
    { principal, origin },
  );
}

/** Every session of a user (disabling them); returns how many were ended. */
export const endAllSessionsOf = (userId: string) => endSessions({ userId });
