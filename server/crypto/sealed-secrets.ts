/**
 * Webhook signing secrets are sealed at rest with AES-256-GCM: they must be readable to sign
 * deliveries, so they are encrypted, not hashed. A sealed value names the key that sealed it and is
 * bound to its webhook (the webhook id is the GCM associated data), so a value copied onto another
 * webhook's row does not open.
 *
 * Keys: APP_ENCRYPTION_KEY (base64 of 32 bytes; several separated by commas, the first sealing,
 * all opening). Unset on SQLite, a key generated on first start lives beside the database file,
 * mode 0600. PostgreSQL needs the variable: a key is no safer in the database it protects.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { LRUCache } from "lru-cache";
import { getEnv } from "../env";

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

type Key = { id: string; bytes: Buffer };

export const newEncryptionKey = (): string => randomBytes(32).toString("base64");

function parseKey(text: string): Key {
  const bytes = Buffer.from(text.trim(), "base64");
  if (bytes.length !== 32) throw new Error("APP_ENCRYPTION_KEY: each key must be base64 of 32 random bytes");
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/** The key file of the embedded default: beside the SQLite database. */
export const keyFilePath = (): string => path.join(path.dirname(getEnv().databaseFile), "encryption.key");

function readOrCreateKeyFile(file: string): string {
  try {
    // `wx`: several processes starting at once agree on whichever key was written first.
    fs.writeFileSync(file, `${newEncryptionKey()}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return fs.readFileSync(file, "utf8");
}

let ring: Key[] | undefined;
let keyFileVersion = 0;

/** The configured keys, the sealing one first. */
export function keyRing(): Key[] {
  if (ring) return ring;
  const env = getEnv();
  let source = env.APP_ENCRYPTION_KEY;
  if (!source) {
    if (env.provider !== "sqlite") {
      throw new Error(
        "APP_ENCRYPTION_KEY must be set on PostgreSQL (base64 of 32 random bytes: openssl rand -base64 32)",
      );
    }
    fs.mkdirSync(path.dirname(keyFilePath()), { recursive: true });
    source = readOrCreateKeyFile(keyFilePath());
    keyFileVersion = fs.statSync(keyFilePath()).mtimeMs;
  }
  ring = source
    .split(/[,\n]/)
    .filter((k) => k.trim())
    .map(parseKey);
  if (ring.length === 0) throw new Error("APP_ENCRYPTION_KEY is empty");
  return ring;
}

/**
 * Secrets already opened, by webhook and sealed value (whose random IV makes it unique): setting up
 * AES-GCM for each secret was a quarter of reading a list of webhooks. This holds nothing the
 * process could not open again with the keys it holds anyway; it is emptied with the keys.
 */
const opened = new LRUCache<string, string>({ max: 10_000 });

/** Forgets the loaded keys (after `keys rotate` rewrote them), and what they opened. */
export const reloadKeyRing = () => {
  ring = undefined;
  opened.clear();
};

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

/** The id of the key that sealed a stored value (null for a value from before sealing existed). */
export const sealingKeyId = (stored: string): string | null =>
  isSealed(stored) ? (stored.slice(PREFIX.length).split(":")[0] ?? "") : null;

/** A sealed value this process cannot open: its key is not configured (or the value was altered). */
export class UnopenableSecretError extends Error {
  constructor(readonly keyId: string) {
    super(`a webhook secret is sealed with key ${keyId}, which is not configured (APP_ENCRYPTION_KEY)`);
    this.name = "UnopenableSecretError";
  }
}

export function sealSecret(secret: string, webhookId: string): string {
  // Seal with the newest key even when another process rotated the key file after this one loaded it.
  if (ring && !getEnv().APP_ENCRYPTION_KEY && fs.statSync(keyFilePath()).mtimeMs !== keyFileVersion)
    reloadKeyRing();
  const [key] = keyRing();
  if (!key) throw new Error("no encryption key");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv).setAAD(Buffer.from(webhookId));
  const sealed = Buffer.concat([iv, cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${key.id}:${sealed.toString("base64")}`;
}

/** The secret in a stored value. A value from before sealing existed is returned as it is. */
export function openSecret(stored: string, webhookId: string): string {
  if (!isSealed(stored)) return stored;
  const cacheKey = `${webhookId}:${stored}`;
  let secret = opened.get(cacheKey);
  if (secret === undefined) {
    secret = decrypt(stored, webhookId);
    opened.set(cacheKey, secret);
  }
  return secret;
}

function decrypt(stored: string, webhookId: string): string {
  const [keyId = "", payload = ""] = stored.slice(PREFIX.length).split(":");
  // Another process may have rotated the key file since this one loaded it.
  let key = keyRing().find((k) => k.id === keyId);
  if (!key && !getEnv().APP_ENCRYPTION_KEY) {
    reloadKeyRing();
    key = keyRing().find((k) => k.id === keyId);
  }
  if (!key) throw new UnopenableSecretError(keyId);
  const sealed = Buffer.from(payload, "base64");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, sealed.subarray(0, IV_BYTES))
      .setAAD(Buffer.from(webhookId))
      .setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new UnopenableSecretError(keyId); // altered, or copied from another webhook's row
  }
}

/** Whether a stored value is sealed with the current sealing key. */
export const isSealedWithCurrentKey = (stored: string) => stored.startsWith(`${PREFIX}${keyRing()[0]?.id}:`);
