import { beforeAll, describe, expect, it } from "vitest";
import { principalFromSession, signIn, signOut } from "../server/auth/sessions";
import { hashToken } from "../server/auth/tokens";
import { getDb } from "../server/db";
import { createTenant, type Tenant } from "./helpers";

let alice: Tenant;
beforeAll(async () => {
  alice = await createTenant(1);
});

describe("browser sessions", () => {
  it("signs in with the right password, case-insensitively on email, and stores only the token's hash", async () => {
    const session = await signIn(alice.user.email.toUpperCase(), alice.password);
    expect(session).not.toBeNull();
    const token = session?.token ?? "";
    expect(await principalFromSession(token)).toEqual({ userId: alice.user.id, clientId: null });
    expect(await getDb().session.findUnique({ where: { tokenHash: token } })).toBeNull();
    expect(await getDb().session.findUnique({ where: { tokenHash: hashToken(token) } })).not.toBeNull();
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    expect(await signIn(alice.user.email, "wrong-password")).toBeNull();
    expect(await signIn("nobody@example.com", alice.password)).toBeNull();
  });

  it("stores the password with argon2id, never in clear", async () => {
    const user = await getDb().user.findUniqueOrThrow({ where: { id: alice.user.id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(alice.password);
  });

  it("ends a session on sign-out at once, even a remembered one, and ignores expired or unknown tokens", async () => {
    const session = await signIn(alice.user.email, alice.password);
    const token = session?.token ?? "";
    expect(await principalFromSession(token)).not.toBeNull(); // now remembered by the principal cache
    await signOut(token);
    expect(await principalFromSession(token)).toBeNull();

    const expiring = await signIn(alice.user.email, alice.password);
    await getDb().session.update({
      where: { tokenHash: hashToken(expiring?.token ?? "") },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await principalFromSession(expiring?.token)).toBeNull();
    expect(await principalFromSession("made-up")).toBeNull();
    expect(await principalFromSession(undefined)).toBeNull();
  });
});
