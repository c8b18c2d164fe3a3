"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import {
  clientAddress,
  sessionCookieName,
  sessionCookieOptions,
  sessionTokenFrom,
} from "@/server/auth/session-cookie";
import { signIn, signOut } from "@/server/auth/sessions";

/** A refusal, with the email given (never the password) so the form shows it again. */
export type SignInState = { error?: string; email?: string };

// Long enough for any passphrase, short enough that the KDF cannot be used to burn CPU.
const MAX_PASSWORD_LENGTH = 1024;

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your email and password", email };
  if (password.length > MAX_PASSWORD_LENGTH) return { error: "Invalid email or password", email };
  const requestHeaders = await headers();
  const result = await signIn({
    email,
    password,
    address: clientAddress(requestHeaders),
    userAgent: requestHeaders.get("user-agent") ?? "",
  });
  if (!result.ok) return { error: result.error, email };
  (await cookies()).set(
    sessionCookieName(requestHeaders),
    result.token,
    sessionCookieOptions(requestHeaders, result.expiresAt),
  );
  redirect("/webhooks");
}

export async function signOutAction(): Promise<void> {
  const requestHeaders = await headers();
  const token = sessionTokenFrom(requestHeaders);
  if (token) await signOut(token);
  (await cookies()).delete(sessionCookieName(requestHeaders));
  redirect("/login");
}
