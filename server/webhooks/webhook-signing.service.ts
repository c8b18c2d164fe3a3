/**
 * A webhook's Ed25519 (`v1a`) signatures: opting in or out, and what its edit page shows — whether
 * it is on, and the platform's public keys a receiver verifies with. Only the admin's door (tRPC)
 * sets it: the REST contract's webhook has no such field, and must keep exactly its own.
 */
import type { KeyObject } from "node:crypto";
import type { Principal } from "../auth/principal";
import { type SigningJwk, signingKeys } from "../crypto/signing-keys";
import { getDb } from "../db";
import { findVisibleWebhookId, getWebhook } from "./webhook.service";
import { type RequestOrigin, recordChange } from "./webhook-history";

export type PublishedSigningKey = { jwk: SigningJwk; createdAt: string; retiresAt: string | null };

export type WebhookSigning = { ed25519: boolean; keys: PublishedSigningKey[] };

const published = async (): Promise<PublishedSigningKey[]> =>
  (await signingKeys()).map(({ jwk, createdAt, retiresAt }) => ({
    jwk,
    createdAt: createdAt.toISOString(),
    retiresAt: retiresAt?.toISOString() ?? null,
  }));

export async function getWebhookSigning({
  principal,
  webhookId,
}: {
  principal: Principal;
  webhookId: string;
}): Promise<WebhookSigning> {
  // Only the visibility check: the webhook's own fields (and its secrets) are not needed here.
  const id = await findVisibleWebhookId(getDb(), principal, webhookId);
  const row = await getDb().webhook.findUniqueOrThrow({ where: { id }, select: { ed25519Signatures: true } });
  return { ed25519: row.ed25519Signatures, keys: await published() };
}

/** Turns `v1a` signatures on or off; a change is recorded in the webhook's history. */
export async function setEd25519Signatures({
  principal,
  webhookId,
  enabled,
  origin,
}: {
  principal: Principal;
  webhookId: string;
  enabled: boolean;
  origin?: RequestOrigin;
}): Promise<WebhookSigning> {
  const webhook = await getWebhook({ principal, webhookId });
  await getDb().$transaction(async (tx) => {
    const { count } = await tx.webhook.updateMany({
      where: { id: webhook.id, ed25519Signatures: !enabled },
      data: { ed25519Signatures: enabled },
    });
    if (count === 0) return; // already so: nothing to record
    await tx.$executeRaw(
      recordChange({ principal, origin }, webhook, webhook, [
        { field: "ed25519 signatures", before: enabled ? "off" : "on", after: enabled ? "on" : "off" },
      ]),
    );
  });
  return { ed25519: enabled, keys: await published() };
}

/** The keys a send to this webhook signs with: the platform's, when it opted in; otherwise none. */
export async function ed25519KeysFor(webhookId: string): Promise<KeyObject[]> {
  const row = await getDb().webhook.findUnique({
    where: { id: webhookId },
    select: { ed25519Signatures: true },
  });
  return row?.ed25519Signatures ? (await signingKeys()).map((key) => key.privateKey) : [];
}
