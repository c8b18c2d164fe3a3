import { beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName, sessionCookieOptions } from "../server/auth/session-cookie";
import {
  endOtherSessions,
  endSession,
  listSessions,
  principalFromSession,
  type SignInResult,
  signIn,
  signOut,
} from "../server/auth/sessions";
import { hashToken } from "../server/auth/tokens";
import { getDb } from "../server/db";
import { createTenant, type Tenant } from "./helpers";

let alice: Tenant;
beforeAll(async () => {
  alice = await createTenant(1);
});

const tokenOf = (result: SignInResult) => {
  if (!result.ok) throw new Error(result.error);
  return result.token;
};
const signInAs = (tenant: Tenant, address = "192.0.2.1") =>
  signIn({ email: tenant.user.email, password: tenant.password, address }).then(tokenOf);

describe("browser sessions", () => {
  it("signs in with the right password, case-insensitively on email, and stores only the token's hash", async () => {
    const token = tokenOf(await signIn({ email: alice.user.email.toUpperCase(), password: alice.password }));
    expect(await principalFromSession(token)).toMatchObject({ userId: alice.user.id, clientId: null });
    expect(await getDb().session.findUnique({ where: { tokenHash: token } })).toBeNull();
    expect(await getDb().session.findUnique({ where: { tokenHash: hashToken(token) } })).not.toBeNull();
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const tenant = await createTenant(1);
    const wrongPassword = await signIn({ email: tenant.user.email, password: "wrong-password" });
    const unknownEmail = await signIn({ email: "nobody@example.com", password: tenant.password });
    expect(wrongPassword).toEqual({ ok: false, error: "Invalid email or password" });
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it("stores the password with argon2id, never in clear", async () => {
    const user = await getDb().user.findUniqueOrThrow({ where: { id: alice.user.id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(alice.password);
  });

  it("ends a session on sign-out at once, even a remembered one, and ignores expired or unknown tokens", async () => {
    const token = await signInAs(alice);
    expect(await principalFromSession(token)).not.toBeNull(); // now remembered by the credential cache
    await signOut(token);
    expect(await principalFromSession(token)).toBeNull();

    const expiring = await signInAs(alice);
    await getDb().session.update({
      where: { tokenHash: hashToken(expiring) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await principalFromSession(expiring)).toBeNull();
    expect(await principalFromSession("made-up")).toBeNull();
    expect(await principalFromSession(undefined)).toBeNull();
  });
});

describe("sign-in throttling", () => {
  it("after 5 wrong passwords for one account, refuses even the right one with when to try again", async () => {
    const tenant = await createTenant(1);
    const results: SignInResult[] = [];
    for (let i = 0; i < 25; i++) {
      results.push(
        await signIn({ email: tenant.user.email, password: `wrong-${i}`, address: `198.51.100.${i}` }),
      );
    }
    expect(results.slice(0, 5).every((r) => !r.ok && r.error === "Invalid email or password")).toBe(true);
    for (const result of results.slice(5)) {
      expect(result).toEqual({ ok: false, error: "Too many attempts. Try again in 15 minutes." });
    }
    const right = await signIn({
      email: tenant.user.email,
      password: tenant.password,
      address: "198.51.100.99",
    });
    expect(right.ok).toBe(false);
    // Another account is not affected.
    expect(
      (await signIn({ email: alice.user.email, password: alice.password, address: "198.51.100.98" })).ok,
    ).toBe(true);
  });

  it("throttles one address trying many accounts", async () => {
    const address = "203.0.113.7";
    for (let i = 0; i < 30; i++)
      await signIn({ email: `nobody-${i}@example.com`, password: "wrong", address });
    const tenant = await createTenant(1);
    const refused = await signIn({ email: tenant.user.email, password: tenant.password, address });
    expect(refused).toEqual({ ok: false, error: "Too many attempts. Try again in 15 minutes." });
    expect(
      (await signIn({ email: tenant.user.email, password: tenant.password, address: "203.0.113.8" })).ok,
    ).toBe(true);
  });

  it("counts each guess before hashing it: of 40 concurrent wrong guesses, only 5 are tried", async () => {
    const tenant = await createTenant(1);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        signIn({ email: tenant.user.email, password: `wrong-${i}`, address: `198.51.100.${i}` }),
      ),
    );
    const tried = results.filter((r) => !r.ok && r.error === "Invalid email or password");
    expect(tried).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.error.startsWith("Too many attempts"))).toHaveLength(35);
  });

  it("failures from elsewhere never lock the owner out of a browser they signed in from before", async () => {
    const tenant = await createTenant(1);
    const earlier = await signIn({
      email: tenant.user.email,
      password: tenant.password,
      address: "192.0.2.1",
    });
    if (!earlier.ok) throw new Error(earlier.error);
    for (let i = 0; i < 10; i++)
      await signIn({ email: tenant.user.email, password: "guess", address: `203.0.113.${i}` });
    // A new device is slowed like the attacker's…
    expect(
      await signIn({ email: tenant.user.email, password: tenant.password, address: "192.0.2.2" }),
    ).toEqual({ ok: false, error: "Too many attempts. Try again in 15 minutes." });
    // …while the owner's browser, carrying its device cookie, still signs in.
    const owner = await signIn({
      email: tenant.user.email,
      password: tenant.password,
      address: "192.0.2.1",
      deviceToken: earlier.deviceToken,
    });
    expect(owner.ok).toBe(true);
  });

  it("a device cookie counts its own failures, and is worth nothing for another account or forged", async () => {
    const [tenant, other] = [await createTenant(1), await createTenant(1)];
    const earlier = await signIn({
      email: tenant.user.email,
      password: tenant.password,
      address: "192.0.2.3",
    });
    if (!earlier.ok) throw new Error(earlier.error);
    const attempt = (password: string, deviceToken: string, email = tenant.user.email) =>
      signIn({ email, password, address: "192.0.2.3", deviceToken });
    for (let i = 0; i < 5; i++) expect((await attempt("wrong", earlier.deviceToken)).ok).toBe(false);
    expect(await attempt(tenant.password, earlier.deviceToken)).toEqual({
      ok: false,
      error: "Too many attempts. Try again in 15 minutes.",
    });
    // The account itself was not locked by the device's failures.
    expect(
      (await signIn({ email: tenant.user.email, password: tenant.password, address: "192.0.2.4" })).ok,
    ).toBe(true);
    // Another account's lockout is not lifted by this account's cookie, nor by a forged one.
    for (let i = 0; i < 5; i++)
      await signIn({ email: other.user.email, password: "wrong", address: "192.0.2.5" });
    const [nonce] = earlier.deviceToken.split(".");
    for (const token of [earlier.deviceToken, `${nonce}.forged`, "x".repeat(10_000)]) {
      expect((await attempt(other.password, token, other.user.email)).ok).toBe(false);
    }
  });

  it("a successful sign-in clears the account's failures", async () => {
    const tenant = await createTenant(1);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++)
        await signIn({ email: tenant.user.email, password: "wrong", address: "192.0.2.50" });
      expect(
        (await signIn({ email: tenant.user.email, password: tenant.password, address: "192.0.2.50" })).ok,
      ).toBe(true);
    }
  });
});

describe("the Sessions view", () => {
  it("lists the user's sessions with the current one marked, ends one, and ends all others", async () => {
    const tenant = await createTenant(1);
    const [current, second, third] = [await signInAs(tenant), await signInAs(tenant), await signInAs(tenant)];
    const principal = await principalFromSession(current);
    if (!principal) throw new Error("not signed in");
    const sessions = await listSessions({ principal });
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([principal.sessionId]);

    expect(await principalFromSession(second)).not.toBeNull(); // remembered, and still ended at once
    const secondId = (await principalFromSession(second))?.sessionId ?? "";
    await endSession({ principal, sessionId: secondId });
    expect(await principalFromSession(second)).toBeNull();
    await expect(endSession({ principal, sessionId: secondId })).rejects.toThrow("Session not found");

    expect(await endOtherSessions({ principal })).toBe(1);
    expect(await principalFromSession(third)).toBeNull();
    expect(await principalFromSession(current)).not.toBeNull();
  });

  it("cannot end another user's session", async () => {
    const [mallory, victim] = [await createTenant(1), await createTenant(1)];
    const malloryPrincipal = await principalFromSession(await signInAs(mallory));
    const victimToken = await signInAs(victim);
    const victimSession = (await principalFromSession(victimToken))?.sessionId ?? "";
    if (!malloryPrincipal) throw new Error("not signed in");
    await expect(endSession({ principal: malloryPrincipal, sessionId: victimSession })).rejects.toThrow(
      "Session not found",
    );
    expect(await principalFromSession(victimToken)).not.toBeNull();
  });
});

describe("the session cookie", () => {
  it("is Secure and __Host- prefixed when a proxy says the request came over HTTPS, plain otherwise", () => {
    const https = new Headers({ "x-forwarded-proto": "https" });
    expect(sessionCookieName(https)).toBe("__Host-session");
    expect(sessionCookieOptions(https, new Date())).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "lax",
    });
    const plain = new Headers({ "x-forwarded-proto": "http" });
    expect(sessionCookieName(plain)).toBe("session");
    expect(sessionCookieOptions(plain, new Date())).toMatchObject({ secure: false, httpOnly: true });
  });
});
