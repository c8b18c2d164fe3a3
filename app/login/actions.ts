"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { SESSION_COOKIE, signIn, signOut } from "@/server/auth/sessions";

export type SignInState = { error?: string };

// Long enough for any passphrase, short enough that the KDF cannot be used to burn CPU.
const MAX_PASSWORD_LENGTH = 1024;

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your email and password" };
  const session = password.length <= MAX_PASSWORD_LENGTH ? await signIn(email, password) : null;
  if (!session) return { error: "Invalid email or password" };
  (await cookies()).set(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: (await headers()).get("x-forwarded-proto") === "https",
    path: "/",
    expires: session.expiresAt,
  });
  redirect("/webhooks");
}

export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await signOut(token);
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}
