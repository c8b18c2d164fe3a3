/** What the worker hands from claiming to sending to recording. */
import type { KeyObject } from "node:crypto";

/** A delivery claimed by one worker: only the holder of `token` may record its outcome. */
export type Claim = { id: string; token: string; leaseUntil: number };

/** A claimed delivery, ready to send: where to, signed with what, or why it must not be sent. */
export type PreparedAttempt = {
  claim: Claim;
  webhookId: string;
  clientId: string;
  attempt: number;
  body: string;
  url: string;
  secrets: string[];
  /** The platform's Ed25519 keys, when the webhook opted in to `v1a` signatures; otherwise none. */
  ed25519Keys: KeyObject[];
  /** Why it may never be sent (the delivery ends unsent). */
  refusal: string | null;
  /** Why it cannot be sent now (a failed attempt, retried on schedule). */
  notSent: string | null;
};
