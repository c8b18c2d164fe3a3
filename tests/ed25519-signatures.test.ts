/**
 * Ed25519 (`v1a`) signatures, as receivers check them: real deliveries to a local HTTPS receiver,
 * verified with the public keys the platform publishes — by Node's crypto (OpenSSL) from the JWK set
 * and by an independent implementation (@noble/curves) from the raw key bytes — through a key
 * rotation's overlap and after it.
 */
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

import { createPublicKey, verify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as signingKeysRoute from "../app/api/v2/public/webhooks/signing-keys/route";
import { rotateEncryptionKey } from "../server/crypto/key-rotation";
import { newEncryptionKey, reloadKeyRing } from "../server/crypto/sealed-secrets";
import { rotateSigningKeys, type SigningJwk } from "../server/crypto/signing-keys";
import { getDb } from "../server/db";
import { sendTestEvent } from "../server/deliveries/deliveries.service";
import { publishEvent } from "../server/deliveries/events.service";
import { runDueDeliveries } from "../server/deliveries/worker";
import { getEnv } from "../server/env";
import { countSealedUnderMissingKeys } from "../server/operations/health";
import { createContextInner } from "../server/trpc/init";
import { createCaller } from "../server/trpc/root";
import { createWebhook, listWebhookHistory } from "../server/webhooks/webhook.service";
import { setEd25519Signatures } from "../server/webhooks/webhook-signing.service";
import { createTenant, type Tenant } from "./helpers";
import { type Received, startReceiver } from "./https-receiver";

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver(inject("receiverTls"));
});
afterAll(() => receiver.close());

/** The published JWK set, as a receiver fetches it. */
async function publishedKeys(): Promise<{ keys: SigningJwk[]; cacheControl: string | null }> {
  const answer = await signingKeysRoute.GET(
    new Request("http://localhost/api/v2/public/webhooks/signing-keys"),
  );
  expect(answer.status).toBe(200);
  return {
    ...((await answer.json()) as { keys: SigningJwk[] }),
    cacheControl: answer.headers.get("cache-control"),
  };
}

/** The `v1a` signatures of a received request, and what they sign. */
function v1aOf(request: Received) {
  const signed = `${request.headers["webhook-id"]}.${request.headers["webhook-timestamp"]}.${request.body}`;
  const entries = (request.headers["webhook-signature"] ?? "").split(" ");
  return {
    signed,
    v1: entries.filter((entry) => entry.startsWith("v1,")),
    v1a: entries
      .filter((entry) => entry.startsWith("v1a,"))
      .map((entry) => Buffer.from(entry.slice(4), "base64")),
  };
}

/** Which published keys verify a signature, by both implementations (they must agree). */
function verifyingKeys(keys: SigningJwk[], signed: string, signature: Buffer): string[] {
  return keys
    .filter((jwk) => {
      const byNode = verify(
        null,
        Buffer.from(signed),
        createPublicKey({ key: jwk, format: "jwk" }),
        signature,
      );
      const byNoble = ed25519.verify(signature, Buffer.from(signed), Buffer.from(jwk.x, "base64url"));
      expect(byNoble).toBe(byNode);
      return byNode;
    })
    .map((jwk) => jwk.kid);
}

/** A fresh tenant's webhook at `path`, opted in to Ed25519 or not. */
async function webhookAt(path: string, ed25519: boolean): Promise<{ tenant: Tenant; webhookId: string }> {
  const tenant = await createTenant(1);
  const webhook = await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: receiver.url(path), events: ["shift.created"], facilities: tenant.facilityIds },
  });
  if (ed25519)
    await setEd25519Signatures({ principal: tenant.clientPrincipal, webhookId: webhook.id, enabled: true });
  return { tenant, webhookId: webhook.id };
}

/** Publishes one event to the tenant, makes one pass, and returns what the receiver got at `path`. */
async function deliveredTo(tenant: Tenant, path: string): Promise<Received> {
  await publishEvent({
    eventType: "shift.created",
    facilityId: tenant.facilityIds[0],
    data: { shiftId: path },
  });
  await runDueDeliveries({ now: Date.now() });
  const request = receiver.received.findLast((r) => r.path === path);
  if (!request) throw new Error(`nothing arrived at ${path}`);
  return request;
}

describe("Ed25519 (v1a) signatures", () => {
  it("sign an opted-in webhook's deliveries beside its v1 HMACs, verifiable with the published keys; others get none", async () => {
    const optedIn = await webhookAt("/v1a/on", true);
    const plain = await webhookAt("/v1a/off", false);
    const { keys, cacheControl } = await publishedKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", use: "sig", alg: "EdDSA" });
    expect(cacheControl).toMatch(/^public, max-age=\d+$/);

    const signedOne = v1aOf(await deliveredTo(optedIn.tenant, "/v1a/on"));
    expect(signedOne.v1).toHaveLength(1);
    expect(signedOne.v1a).toHaveLength(1);
    expect(verifyingKeys(keys, signedOne.signed, signedOne.v1a[0] ?? Buffer.alloc(0))).toEqual([
      keys[0]?.kid,
    ]);
    // A changed body does not verify.
    expect(verifyingKeys(keys, `${signedOne.signed} `, signedOne.v1a[0] ?? Buffer.alloc(0))).toEqual([]);

    const unsigned = v1aOf(await deliveredTo(plain.tenant, "/v1a/off"));
    expect(unsigned.v1).toHaveLength(1);
    expect(unsigned.v1a).toEqual([]);
  });

  it("sign a test send to an opted-in webhook too", async () => {
    const { tenant, webhookId } = await webhookAt("/v1a/test-send", true);
    await sendTestEvent({ principal: tenant.clientPrincipal, webhookId });
    const request = receiver.received.findLast((r) => r.path === "/v1a/test-send");
    if (!request) throw new Error("the test send did not arrive");
    const { signed, v1a } = v1aOf(request);
    expect(verifyingKeys((await publishedKeys()).keys, signed, v1a[0] ?? Buffer.alloc(0))).toHaveLength(1);
  });

  it("are signed by the old and the new key through a rotation's overlap, by the new one alone after it", async () => {
    const { tenant } = await webhookAt("/v1a/rotation", true);
    const [before] = (await publishedKeys()).keys;

    const rotated = await rotateSigningKeys({ overlapHours: 1 });
    expect(rotated.retiring.map((key) => key.kid)).toEqual([before?.kid]);
    const during = (await publishedKeys()).keys;
    expect(during.map((key) => key.kid)).toEqual([before?.kid, rotated.kid]);
    const overlap = v1aOf(await deliveredTo(tenant, "/v1a/rotation"));
    // Each key signs once: a receiver that trusts either one verifies the delivery.
    expect(overlap.v1a.map((signature) => verifyingKeys(during, overlap.signed, signature))).toEqual([
      [before?.kid],
      [rotated.kid],
    ]);

    // The overlap ends (an immediate rotation ends it for every older key).
    const next = await rotateSigningKeys({ overlapHours: 0 });
    const after = (await publishedKeys()).keys;
    expect(after.map((key) => key.kid)).toEqual([next.kid]);
    const alone = v1aOf(await deliveredTo(tenant, "/v1a/rotation"));
    expect(alone.v1a.map((signature) => verifyingKeys(after, alone.signed, signature))).toEqual([[next.kid]]);
  });

  it("keep their private keys sealed at rest, re-sealed by an encryption key rotation, and still sign", async () => {
    const rows = await getDb().signingKey.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.privateKey).toMatch(/^enc:v1:/);
    // On PostgreSQL the operator puts a new key first in APP_ENCRYPTION_KEY, and drops the old one
    // after the rotation; on SQLite the key file beside the database rotates (and drops it itself).
    const configured = getEnv().APP_ENCRYPTION_KEY;
    const fresh = newEncryptionKey();
    if (configured) getEnv().APP_ENCRYPTION_KEY = `${fresh},${configured}`;
    reloadKeyRing();
    const { resealed } = await rotateEncryptionKey();
    if (configured) getEnv().APP_ENCRYPTION_KEY = fresh;
    reloadKeyRing();
    expect(resealed).toBeGreaterThanOrEqual(rows.length);
    const resealedRows = await getDb().signingKey.findMany();
    for (const row of resealedRows) {
      expect(row.privateKey).not.toBe(rows.find((r) => r.id === row.id)?.privateKey);
    }
    expect(await countSealedUnderMissingKeys(getDb())).toBe(0);
    const { tenant } = await webhookAt("/v1a/resealed", true);
    const { signed, v1a } = v1aOf(await deliveredTo(tenant, "/v1a/resealed"));
    expect(verifyingKeys((await publishedKeys()).keys, signed, v1a[0] ?? Buffer.alloc(0))).toHaveLength(1);
  });

  it("are turned on and off through tRPC, each change in the webhook's history, and refuse a bad overlap", async () => {
    const { tenant, webhookId } = await webhookAt("/v1a/trpc", false);
    const caller = createCaller(createContextInner({ principal: tenant.userPrincipal }));
    expect((await caller.webhooks.signing({ id: webhookId })).ed25519).toBe(false);
    const on = await caller.webhooks.setEd25519({ id: webhookId, enabled: true });
    expect(on.ed25519).toBe(true);
    expect(on.keys.length).toBeGreaterThan(0);
    await caller.webhooks.setEd25519({ id: webhookId, enabled: true }); // already on: nothing recorded
    await caller.webhooks.setEd25519({ id: webhookId, enabled: false });
    const history = await listWebhookHistory({
      principal: tenant.clientPrincipal,
      webhookId,
      limit: 10,
      offset: 0,
    });
    expect(
      history.flatMap((entry) => entry.changes.filter((change) => change.field === "ed25519 signatures")),
    ).toEqual([
      { field: "ed25519 signatures", before: "on", after: "off" },
      { field: "ed25519 signatures", before: "off", after: "on" },
    ]);
    const stranger = await createTenant(1);
    await expect(
      setEd25519Signatures({ principal: stranger.clientPrincipal, webhookId, enabled: true }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(rotateSigningKeys({ overlapHours: 1.5 })).rejects.toThrow(
      /whole number of hours from 0 to 720/,
    );
    await expect(rotateSigningKeys({ overlapHours: -1 })).rejects.toThrow(/whole number of hours/);
  });
});
