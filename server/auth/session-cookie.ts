/**
 * The session cookie: HttpOnly, SameSite=Lax, and over HTTPS (an https APP_URL, or a proxy saying
 * `X-Forwarded-Proto: https`) Secure with the `__Host-` prefix, which browsers accept only from
 * this exact host over HTTPS — a sibling subdomain cannot set or overwrite it.
 */
import { getEnv } from "../env";

export function servedOverHttps(headers: Headers): boolean {
  return getEnv().APP_URL?.startsWith("https:") === true || headers.get("x-forwarded-proto") === "https";
}

export const sessionCookieName = (headers: Headers) =>
  servedOverHttps(headers) ? "__Host-session" : "session";

export function sessionCookieOptions(headers: Headers, expires: Date) {
  return { httpOnly: true, sameSite: "lax", secure: servedOverHttps(headers), path: "/", expires } as const;
}

/** A cookie's value from a `Cookie` header; a malformed one counts as absent, never as an error. */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join("="));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const sessionTokenFrom = (headers: Headers) =>
  readCookie(headers.get("cookie"), sessionCookieName(headers));

/**
 * The client's address: the server (scripts/serve.ts) puts the one it resolved from the socket and
 * TRUST_PROXY into X-Forwarded-For before the app sees the request. Bounded, whatever arrives.
 */
export const clientAddress = (headers: Headers) =>
  headers.get("x-forwarded-for")?.split(",").at(-1)?.trim().slice(0, 64) || "unknown";
