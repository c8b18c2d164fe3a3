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
 * The client's address as this server saw it: the last X-Forwarded-For hop (Next adds the socket's
 * address when no proxy sent the header; behind a proxy, the proxy's own entry comes last).
 */
export const clientAddress = (headers: Headers) =>
  headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() || "unknown";
