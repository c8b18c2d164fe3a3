/**
 * The signature debugger: for one attempt, exactly what was signed and by which secrets (as
 * fingerprints), and — given the signature (and optionally the body and clock) a receiver computed —
 * the mistake that explains a mismatch. It tries the signature against the mistakes receivers make
 * (a re-serialised body, hex for base64, the `whsec_` form used wrongly, the other header's scheme,
 * their own clock as the timestamp, another secret) and names the first that reproduces it. It
 * never returns a secret: only fingerprints, and signatures the receiver was sent anyway.
 */
import { createHash, createHmac } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { Principal } from "../auth/principal";
import { getDb } from "../db";
import { AppError } from "../errors";
import {
  DEFAULT_TOLERANCE_SECONDS,
  nursaSignedContent,
  signatureHeader,
  standardSignedContent,
  standardWebhookHeaders,
} from "../webhooks/signature";
import { getWebhook } from "../webhooks/webhook.service";
import { secretFingerprint } from "../webhooks/webhook-history";
import { visibleDelivery } from "./deliveries.service";

export const signatureDebugInput = z.object({
  deliveryId: z.uuid(),
  attempt: z.number().int().min(1),
  /** Which header the receiver verifies. */
  header: z.enum(["standard", "nursa"]),
  /** What the receiver computed; without it (and without a body) only the facts are returned. */
  signature: z.string().trim().max(2_000).optional(),
  /** The body as the receiver verified it, when it may differ from what was sent. */
  body: z
    .string()
    .max(100 * 1024)
    .optional(),
  /** The receiver's clock when it verified (unix seconds). */
  receiverTime: z.number().int().min(0).max(99_999_999_999).optional(),
});
export type SignatureDebugInput = z.infer<typeof signatureDebugInput>;

export type Mistake =
  | "body-reserialised"
  | "body-whitespace"
  | "body-different"
  | "secret-decoded"
  | "whsec-prefix"
  | "own-clock"
  | "headers-mixed"
  | "hex-vs-base64"
  | "timestamp-tolerance"
  | "another-secret"
  | "not-a-signature";

/** Each mistake's name, as the debugger shows it. */
const TITLES: Record<Mistake, string> = {
  "body-reserialised": "Body re-serialised",
  "body-whitespace": "Whitespace changed in the body",
  "body-different": "A different body",
  "secret-decoded": "Secret base64-decoded",
  "whsec-prefix": "The whsec_ form used as the key",
  "own-clock": "Your own clock used as the timestamp",
  "headers-mixed": "Nursa-Signature and webhook-signature mixed up",
  "hex-vs-base64": "Hex against base64",
  "timestamp-tolerance": "Timestamp outside the tolerance",
  "another-secret": "Another secret",
  "not-a-signature": "Not a signature",
};

export type SignatureDebug = {
  /** `webhook-id` and `webhook-timestamp` as sent. */
  webhookId: string;
  timestamp: number;
  /** What each header's signatures are computed over, the body as sent included. */
  signedContent: { standard: string; nursa: string };
  body: { bytes: number; sha256: string };
  /** The signature headers as sent (their `v1` values; `v1a` ones are not kept). */
  sent: { nursa: string; standard: string };
  /** This webhook's current secrets, and whether each signed this attempt. */
  secrets: { fingerprint: string; signedThis: boolean }[];
  /** Null when nothing was pasted to check. */
  verdict: { ok: boolean; mistake: Mistake | null; title: string; explanation: string } | null;
};

const hmac = (key: Buffer | string, content: string) => createHmac("sha256", key).update(content).digest();

/** The pasted value without the header syntax around it: `t=…, v1=<x>`, `v1,<x> …`, `v1=<x>` or `<x>`. */
function pastedValue(pasted: string): string {
  const entry = pasted.split(/[\s,]+/).find((part) => /^v1[=,]/.test(part)) ?? pasted.trim();
  return entry.replace(/^v1[=,]/, "");
}

/** The 32 bytes a pasted HMAC-SHA256 holds, and how it was written; null when it is not one. */
function decoded(value: string): { bytes: Buffer; encoding: "hex" | "base64" } | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { bytes: Buffer.from(value, "hex"), encoding: "hex" };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value))
    return { bytes: Buffer.from(value, "base64"), encoding: "base64" };
  return null;
}

function bodyMistake(sent: string, verified: string): { mistake: Mistake; explanation: string } | null {
  if (verified === sent) return null;
  const strip = (text: string) => text.replace(/\s+/g, "");
  if (strip(verified) === strip(sent)) {
    return {
      mistake: "body-whitespace",
      explanation:
        "The body your receiver verified differs from the one sent only in whitespace (pretty-printed, a newline added or removed). Verify the raw bytes exactly as received.",
    };
  }
  let parsedEqual = false;
  try {
    parsedEqual = isDeepStrictEqual(JSON.parse(verified), JSON.parse(sent));
  } catch {}
  if (parsedEqual) {
    return {
      mistake: "body-reserialised",
      explanation:
        "The body your receiver verified is the sent JSON parsed and written again (keys or escapes differ). Verify the raw body as received, before any JSON parsing.",
    };
  }
  const at = [...sent].findIndex((char, i) => verified[i] !== char);
  return {
    mistake: "body-different",
    explanation: `The body your receiver verified is not the body sent: they differ from character ${at === -1 ? sent.length : at}. Verify the request's own raw body.`,
  };
}

/** What the debugger says about one attempt and what the receiver computed. */
export async function debugSignature({
  principal,
  input,
}: {
  principal: Principal;
  input: SignatureDebugInput;
}): Promise<SignatureDebug> {
  const delivery = await visibleDelivery(principal, input.deliveryId);
  const webhook = await getWebhook({ principal, webhookId: delivery.webhookId });
  const row = await getDb().deliveryAttempt.findUnique({
    where: { deliveryId_attempt: { deliveryId: delivery.id, attempt: input.attempt } },
    select: { signature: true },
  });
  const timestamp = Number(/^t=(\d+)/.exec(row?.signature ?? "")?.[1]);
  if (!row || !Number.isInteger(timestamp)) {
    throw new AppError("NOT_FOUND", "This attempt was not sent, so nothing was signed");
  }
  const { body } = await getDb().event.findUniqueOrThrow({
    where: { id: delivery.eventId },
    select: { body: true },
  });
  const id = delivery.id;
  const sentV1 = row.signature.split(", ").filter((part) => part.startsWith("v1="));
  const secrets = webhook.secrets.map((secret) => ({
    secret,
    fingerprint: secretFingerprint(secret),
    // The stored header is what was sent: a secret signed it if its own `v1` is there.
    signedThis: sentV1.includes(signatureHeader(body, [secret], timestamp).split(", ")[1] ?? ""),
  }));
  const signers = secrets.filter((s) => s.signedThis);
  const report = (verdict: SignatureDebug["verdict"]): SignatureDebug => ({
    webhookId: id,
    timestamp,
    signedContent: {
      standard: standardSignedContent(id, timestamp, body),
      nursa: nursaSignedContent(timestamp, body),
    },
    body: { bytes: Buffer.byteLength(body), sha256: createHash("sha256").update(body).digest("hex") },
    sent: {
      nursa: row.signature,
      standard:
        standardWebhookHeaders(
          body,
          signers.map(({ secret }) => secret),
          id,
          timestamp,
        )["webhook-signature"] ?? "",
    },
    secrets: secrets.map(({ fingerprint, signedThis }) => ({ fingerprint, signedThis })),
    verdict,
  });
  const mistake = (kind: Mistake, explanation: string) =>
    report({ ok: false, mistake: kind, title: TITLES[kind], explanation });

  if (!input.signature && input.body === undefined) return report(null);
  const pasted = decoded(pastedValue(input.signature ?? ""));
  const verifiedBody = input.body ?? body;
  const ofBody = bodyMistake(body, verifiedBody);
  if (!pasted) {
    if (ofBody) return mistake(ofBody.mistake, ofBody.explanation);
    if (!input.signature) {
      return report({
        ok: true,
        mistake: null,
        title: "Same body",
        explanation:
          "The body your receiver verified is the one sent. Paste the signature it computed to check that too.",
      });
    }
    return mistake(
      "not-a-signature",
      "That is not an HMAC-SHA256 signature: webhook-signature carries `v1,` and 44 base64 characters, Nursa-Signature `v1=` and 64 hex characters.",
    );
  }

  // Every way of computing it that receivers get wrong, each with the mistake it reveals.
  const theirs = input.header;
  const other = theirs === "standard" ? "nursa" : "standard";
  const contentOf = (scheme: "standard" | "nursa", t: number, text: string) =>
    scheme === "standard" ? standardSignedContent(id, t, text) : nursaSignedContent(t, text);
  const encodingOf = (scheme: "standard" | "nursa") => (scheme === "standard" ? "base64" : "hex");
  const matches = (key: Buffer | string, content: string, encoding: "hex" | "base64") =>
    pasted.encoding === encoding && hmac(key, content).equals(pasted.bytes);
  const anySecret = (test: (secret: string) => boolean) => signers.some(({ secret }) => test(secret));
  const right =
    (text: string, t = timestamp) =>
    (secret: string) =>
      matches(secret, contentOf(theirs, t, text), encodingOf(theirs));

  if (anySecret(right(body))) {
    const skew = input.receiverTime === undefined ? 0 : Math.abs(input.receiverTime - timestamp);
    if (skew > DEFAULT_TOLERANCE_SECONDS) {
      return mistake(
        "timestamp-tolerance",
        `The signature is right, but your receiver's clock is ${skew} s from webhook-timestamp (${timestamp}): a ${DEFAULT_TOLERANCE_SECONDS / 60}-minute tolerance refuses it. Check the receiver's clock (NTP), and verify when the request arrives, not later.`,
      );
    }
    return report({
      ok: true,
      mistake: null,
      title: "Right signature",
      explanation: "This is the right signature for this attempt.",
    });
  }
  if (ofBody && anySecret(right(verifiedBody))) return mistake(ofBody.mistake, ofBody.explanation);
  if (
    anySecret((secret) =>
      matches(Buffer.from(secret, "base64"), contentOf(theirs, timestamp, body), encodingOf(theirs)),
    )
  ) {
    return mistake(
      "secret-decoded",
      'Your key is the secret base64-decoded: the key is the secret\'s own bytes. With the standardwebhooks library use new Webhook(secret, { format: "raw" }), or pass whsec_ followed by the secret in base64.',
    );
  }
  const whsecForms = (secret: string) => [
    `whsec_${secret}`,
    `whsec_${Buffer.from(secret).toString("base64")}`,
  ];
  if (
    anySecret((secret) =>
      whsecForms(secret).some((key) => matches(key, contentOf(theirs, timestamp, body), encodingOf(theirs))),
    )
  ) {
    return mistake(
      "whsec-prefix",
      "Your key is the whsec_ form itself, as text: strip whsec_ and base64-decode the rest (libraries do this), or use the secret's own bytes.",
    );
  }
  if (input.receiverTime !== undefined && anySecret(right(body, input.receiverTime))) {
    return mistake(
      "own-clock",
      `You signed with your receiver's own time (${input.receiverTime}); sign with the timestamp sent: webhook-timestamp, or t= in Nursa-Signature (${timestamp}).`,
    );
  }
  const scheme = (name: "standard" | "nursa") =>
    name === "standard"
      ? "webhook-signature (base64 of <webhook-id>.<timestamp>.<body>)"
      : "Nursa-Signature (hex of <t>.<body>)";
  if (
    anySecret((secret) =>
      (["hex", "base64"] as const).some((encoding) =>
        matches(secret, contentOf(other, timestamp, body), encoding),
      ),
    )
  ) {
    return mistake(
      "headers-mixed",
      `You computed the other header's signature: you verify ${scheme(theirs)}, but signed what ${scheme(other)} signs.`,
    );
  }
  if (
    anySecret((secret) =>
      matches(secret, contentOf(theirs, timestamp, body), theirs === "standard" ? "hex" : "base64"),
    )
  ) {
    return mistake(
      "hex-vs-base64",
      `Right signature, wrong encoding: ${theirs === "standard" ? "webhook-signature carries base64, not hex" : "Nursa-Signature carries hex, not base64"}.`,
    );
  }
  if (ofBody) return mistake(ofBody.mistake, ofBody.explanation);
  return mistake(
    "another-secret",
    `No secret this attempt was signed with gives that signature. Your receiver holds another secret: it should hold one of ${signers.map((s) => s.fingerprint).join(", ") || "(none of this webhook's current secrets signed this attempt: they have been rotated since)"}.`,
  );
}
