/**
 * The platform's Ed25519 signing keys (Standard Webhooks' `v1a`): receivers of webhooks that opt in
 * verify with a public key — published as a JWK set — instead of a shared secret that could also
 * sign as us. The first key is made on first use; `npm run admin -- signing-keys rotate` adds a
 * newer one, and the older keys keep signing (so receivers that have not fetched the new key yet
 * still verify) until the overlap ends.
 */

import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { auditEntry } from "../audit/audit";
import { type Db, getDb, type Tx } from "../db";
import { AppError } from "../errors";
import { Prisma } from "../generated/sqlite/client";
import { openSecret, sealSecret } from "./sealed-secrets";

/** A published public key, as a JWK set lists it. */
export type SigningJwk = { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; use: "sig"; alg: "EdDSA" };

export type SigningKey = {
  kid: string;
  jwk: SigningJwk;
  privateKey: KeyObject;
  createdAt: Date;
  /** When it stops signing (and is no longer published); null while it is the newest. */
  retiresAt: Date | null;
};

/** Workers and the key endpoint read the keys at most this often: a rotation reaches them in seconds. */
const KEYS_FRESH_MS = 5_000;
export const DEFAULT_OVERLAP_HOURS = 24;
const MAX_OVERLAP_HOURS = 720;

/** The private key's sealing is bound to its key id: a value copied onto another key's row does not open. */
const sealedFor = (kid: string) => `signing-key:${kid}`;

const jwkOf = (x: string): SigningJwk => ({
  kty: "OKP",
  crv: "Ed25519",
  x,
  kid: thumbprint(x),
  use: "sig",
  alg: "EdDSA",
});

/** RFC 7638's JWK thumbprint: SHA-256 of the required members in lexical order, base64url. */
function thumbprint(x: string): string {
  return createHash("sha256")
    .update(JSON.stringify({ crv: "Ed25519", kty: "OKP", x }))
    .digest("base64url");
}

type Row = { id: string; publicKey: string; privateKey: string; createdAt: Date; retiresAt: Date | null };

const opened = new Map<string, KeyObject>();
function open(row: Row): SigningKey {
  let privateKey = opened.get(row.id);
  if (!privateKey) {
    const der = Buffer.from(openSecret(row.privateKey, sealedFor(row.id)), "base64");
    privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    opened.set(row.id, privateKey);
  }
  return {
    kid: row.id,
    jwk: jwkOf(row.publicKey),
    privateKey,
    createdAt: row.createdAt,
    retiresAt: row.retiresAt,
  };
}

/** A new key pair, one generation after the newest (unique: of two processes racing, one wins). */
async function createKey(tx: Db | Tx): Promise<string> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x ?? "";
  const kid = thumbprint(x);
  const newest = await tx.signingKey.findFirst({
    orderBy: { generation: "desc" },
    select: { generation: true },
  });
  await tx.signingKey.create({
    data: {
      id: kid,
      generation: (newest?.generation ?? 0) + 1,
      publicKey: x,
      privateKey: sealSecret(
        privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
        sealedFor(kid),
      ),
    },
  });
  return kid;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

let cached: { keys: SigningKey[]; until: number } | undefined;

/**
 * The keys that sign now (and are published), oldest first; the first is made here if there is
 * none yet.
 */
export async function signingKeys(now = Date.now()): Promise<SigningKey[]> {
  if (cached && cached.until > now) return cached.keys;
  const read = () =>
    getDb().signingKey.findMany({
      where: { OR: [{ retiresAt: null }, { retiresAt: { gt: new Date(now) } }] },
      orderBy: { generation: "asc" },
    });
  let rows = await read();
  if (rows.length === 0) {
    await createKey(getDb()).catch((error) => {
      if (!isUniqueViolation(error)) throw error; // another process made the first key meanwhile
    });
    rows = await read();
  }
  const keys = rows.map(open);
  // Cached until the next retirement at the latest, so a retired key never signs.
  const nextRetirement = Math.min(...keys.map((key) => key.retiresAt?.getTime() ?? Number.POSITIVE_INFINITY));
  cached = { keys, until: Math.min(now + KEYS_FRESH_MS, nextRetirement) };
  return keys;
}

/**
 * Adds a newer key; the keys signing until now keep signing for `overlapHours` more, then retire.
 * Receivers that refresh the published set within the overlap never see a delivery they cannot
 * verify.
 */
export async function rotateSigningKeys({
  overlapHours = DEFAULT_OVERLAP_HOURS,
  now = new Date(),
}: {
  overlapHours?: number;
  now?: Date;
} = {}): Promise<{ kid: string; retiring: { kid: string; retiresAt: Date }[] }> {
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
    throw new AppError(
      "BAD_REQUEST",
      `the overlap must be a whole number of hours from 0 to ${MAX_OVERLAP_HOURS}: how long the current keys keep signing beside the new one`,
    );
  }
  const retiresAt = new Date(now.getTime() + overlapHours * 3_600_000);
  const result = await getDb().$transaction(async (tx) => {
    // Only keys that would outlive the overlap get its end: one already retiring sooner keeps its date.
    const retiring = await tx.signingKey.findMany({
      where: { OR: [{ retiresAt: null }, { retiresAt: { gt: retiresAt } }] },
      select: { id: true },
    });
    await tx.signingKey.updateMany({ where: { id: { in: retiring.map((k) => k.id) } }, data: { retiresAt } });
    const kid = await createKey(tx);
    await tx.$executeRaw(
      auditEntry("operator", {
        action: "signing-keys.rotated",
        accountId: null,
        target: `Ed25519 signing key ${kid}`,
        details: { retiring: retiring.map((k) => k.id), retiresAt: retiresAt.toISOString() },
      }),
    );
    return { kid, retiring: retiring.map((k) => ({ kid: k.id, retiresAt })) };
  });
  cached = undefined;
  return result;
}

/** Re-seals the private keys that `needsSealing` picks (an encryption key rotation); returns how many. */
export async function resealSigningKeys(needsSealing: (stored: string) => boolean): Promise<number> {
  const db = getDb();
  const stale = (await db.signingKey.findMany({ select: { id: true, privateKey: true } })).filter((key) =>
    needsSealing(key.privateKey),
  );
  for (const { id, privateKey } of stale) {
    await db.signingKey.updateMany({
      where: { id, privateKey },
      data: { privateKey: sealSecret(openSecret(privateKey, sealedFor(id)), sealedFor(id)) },
    });
  }
  return stale.length;
}
