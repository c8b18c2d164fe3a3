/**
 * Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser where
 * an admin signed in before carries a cookie bound to that account and signed by us. Sign-in from
 * such a browser is throttled per device, so failures from elsewhere cannot lock its owner out;
 * sign-in from anywhere else shares the account's stricter allowance.
 *
 * The signing key is derived from each encryption key (HKDF, its own label), so it does this one
 * job; after a key leaves the ring, the cookies it signed are only unknown devices again.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { keyRing } from "../crypto/sealed-secrets";
import { servedOverHttps } from "./session-cookie";

const DEVICE_COOKIE_DAYS = 180;

/** What the throttle and the cookie know an account by: never the email itself, and bounded. */
export const accountKeyOf = (normalizedEmail: string) =>
  createHash("sha256").update(normalizedEmail).digest("base64url");

const signingKey = (key: Buffer) => Buffer.from(hkdfSync("sha256", key, "", "sign-in device cookie", 32));
const mac = (key: Buffer, accountKey: string, nonce: string) =>
  createHmac("sha256", signingKey(key)).update(`${accountKey}.${nonce}`).digest("base64url");

/** A new device token for the account just signed in to. */
export function issueDeviceToken(accountKey: string): string {
  const nonce = randomBytes(16).toString("base64url");
  return `${nonce}.${mac(keyRing()[0]?.bytes ?? Buffer.alloc(0), accountKey, nonce)}`;
}

/** The device's id when `token` is one we issued for this account, else null. */
export function trustedDeviceId(token: string | undefined, accountKey: string): string | null {
  const [nonce, signature, extra] = (token ?? "").split(".");
  if (!nonce || !signature || extra !== undefined || nonce.length > 32 || signature.length > 64) return null;
  const given = Buffer.from(signature);
  const signedByUs = keyRing().some(({ bytes }) => {
    const expected = Buffer.from(mac(bytes, accountKey, nonce));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return signedByUs ? nonce : null;
}

export const deviceCookieName = (headers: Headers) => (servedOverHttps(headers) ? "__Host-device" : "device");

export const deviceCookieOptions = (headers: Headers) =>
  ({
    httpOnly: true,
    sameSite: "lax",
    secure: servedOverHttps(headers),
    path: "/",
    maxAge: DEVICE_COOKIE_DAYS * 86_400,
  }) as const;
