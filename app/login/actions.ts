"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH } from "@/server/auth/credential-limits";
import { deviceCookieName, deviceCookieOptions } from "@/server/auth/device-cookie";
import {
  clientAddress,
  readCookie,
  sessionCookieName,
  sessionCookieOptions,
  sessionTokenFrom,
} from "@/server/auth/session-cookie";
import { signIn, signOut } from "@/server/auth/sessions";

/** A refusal, with the email given (never the password) so the form shows it again. */
export type SignInState = { error?: string; email?: string };

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  // One character past the longest address keeps "too long" recognisable without keeping more.
  const email = String(form.get("email") ?? "").slice(0, MAX_EMAIL_LENGTH + 1);
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your email and password", email };
  if (password.length > MAX_PASSWORD_LENGTH) return { error: "Invalid email or password", email };
  const requestHeaders = await headers();
  const result = await signIn({
    email,
    password,
    address: clientAddress(requestHeaders),
    userAgent: requestHeaders.get("user-agent") ?? "",
    deviceToken: readCookie(requestHeaders.get("cookie"), deviceCookieName(requestHeaders)),
  });
  if (!result.ok) return { error: result.error, email };
  const jar = await cookies();
  jar.set(
    sessionCookieName(requestHeaders),
    result.token,
    sessionCookieOptions(requestHeaders, result.expiresAt),
  );
  jar.set(deviceCookieName(requestHeaders), result.deviceToken, deviceCookieOptions(requestHeaders));
  redirect("/webhooks");
}

export async function signOutAction(): Promise<void> {
  const requestHeaders = await headers();
  const token = sessionTokenFrom(requestHeaders);
  if (token) await signOut(token);
  (await cookies()).delete(sessionCookieName(requestHeaders));
  redirect("/login");
}
