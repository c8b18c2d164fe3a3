/**
 * The `Nursa-Signature` header of the original service, which receivers already verify:
 * `t=<unix seconds>, v1=<hex>[, v1=<hex>]`, one `v1` per current secret, each the HMAC-SHA256 of
 * `<t>.<raw body>` keyed with that secret. While two secrets exist (rotation) both sign, so a
 * receiver holding either one accepts the delivery.
 */
import { createHmac, type KeyObject, sign, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Nursa-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** What a `Nursa-Signature` `v1` signs: `<t>.<raw body>`. */
export const nursaSignedContent = (timestamp: number, rawBody: string) => `${timestamp}.${rawBody}`;

/** What a `webhook-signature` `v1` or `v1a` signs: `<webhook-id>.<timestamp>.<raw body>`. */
export const standardSignedContent = (webhookId: string, timestamp: number, rawBody: string) =>
  `${webhookId}.${timestamp}.${rawBody}`;

const hmac = (secret: string, timestamp: number, rawBody: string) =>
  createHmac("sha256", secret).update(nursaSignedContent(timestamp, rawBody)).digest("hex");

export function signatureHeader(
  rawBody: string,
  secrets: string[],
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, rawBody)}`)].join(", ");
}

/**
 * The Standard Webhooks headers (standardwebhooks.com), sent beside `Nursa-Signature` so receivers
 * can verify with that specification's libraries: `webhook-id` is the delivery id, the same on
 * every attempt (receivers drop repeats by it); `webhook-signature` holds `v1,<base64>` per current
 * secret, space-separated, each the HMAC-SHA256 of `<id>.<timestamp>.<raw body>`. The key is the
 * secret's own bytes, which the libraries take as `new Webhook(secret, { format: "raw" })` or as
 * `whsec_` followed by the secret in base64. A webhook that opted in to Ed25519 also gets
 * `v1a,<base64>` per platform signing key: the Ed25519 signature of the same content, verified with
 * the published public keys (server/crypto/signing-keys.ts).
 */
export function standardWebhookHeaders(
  rawBody: string,
  secrets: string[],
  webhookId: string,
  timestamp = Math.floor(Date.now() / 1000),
  ed25519Keys: KeyObject[] = [],
): Record<string, string> {
  const signed = standardSignedContent(webhookId, timestamp, rawBody);
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": [
      ...secrets.map((secret) => `v1,${createHmac("sha256", secret).update(signed).digest("base64")}`),
      ...ed25519Keys.map((key) => `v1a,${sign(null, Buffer.from(signed), key).toString("base64")}`),
    ].join(" "),
  };
}

/**
 * For receivers: true when `header` carries a `v1` signature of `rawBody` made with `secret`, and
 * its timestamp is within `toleranceSeconds` of now (replays of old deliveries are refused).
 * Compares in constant time.
 */
export function verifySignature({
  header,
  rawBody,
  secret,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now = Math.floor(Date.now() / 1000),
}: {
  header: string | null | undefined;
  rawBody: string;
  secret: string;
  toleranceSeconds?: number;
  now?: number;
}): boolean {
  const parts = (header ?? "").split(",").map((part) => part.trim().split("="));
  const timestamp = Number(parts.find(([key]) => key === "t")?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), "hex");
  return parts
    .filter(([key, value]) => key === "v1" && /^[0-9a-f]{64}$/.test(value ?? ""))
    .some(([, value]) => timingSafeEqual(Buffer.from(value ?? "", "hex"), expected));
}
