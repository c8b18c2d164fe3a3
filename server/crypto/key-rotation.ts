/**
 * Re-sealing webhook secrets: values from before sealing existed (at start) and every value after
 * a key rotation (`npm run admin -- keys rotate`). Rows are rewritten in small batches, each in a
 * short transaction, so the API keeps working meanwhile.
 */
import fs from "node:fs";
import { getDb } from "../db";
import { getEnv } from "../env";
import {
  isSealed,
  isSealedWithCurrentKey,
  keyFilePath,
  keyRing,
  newEncryptionKey,
  openSecret,
  reloadKeyRing,
  sealSecret,
} from "./sealed-secrets";

const BATCH = 500;

/** Seals every stored secret that `needsSealing` picks with the current key; returns how many. */
async function resealWhere(needsSealing: (stored: string) => boolean): Promise<number> {
  const db = getDb();
  let resealed = 0;
  let after: { webhookId: string; position: number } | undefined;
  for (;;) {
    const rows = await db.webhookSecret.findMany({
      orderBy: [{ webhookId: "asc" }, { position: "asc" }],
      take: BATCH,
      ...(after && { cursor: { webhookId_position: after }, skip: 1 }),
    });
    const stale = rows.filter((row) => needsSealing(row.value));
    await db.$transaction(
      stale.map((row) =>
        db.webhookSecret.updateMany({
          // Only if unchanged meanwhile: a concurrent update already wrote a freshly sealed value.
          where: { webhookId: row.webhookId, position: row.position, value: row.value },
          data: { value: sealSecret(openSecret(row.value, row.webhookId), row.webhookId) },
        }),
      ),
    );
    resealed += stale.length;
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return resealed;
    after = { webhookId: last.webhookId, position: last.position };
  }
}

/** At start: seals secrets stored before sealing existed. */
export const sealLegacySecrets = () => resealWhere((stored) => !isSealed(stored));

function writeKeyFile(keys: string[]) {
  const file = keyFilePath();
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${keys.join("\n")}\n`, { mode: 0o600 });
  fs.renameSync(temporary, file);
  reloadKeyRing();
}

/**
 * With APP_ENCRYPTION_KEY: re-seals everything with its first key (put the new key first, run
 * this, then drop the old ones). On the embedded default: generates a new key into the key file,
 * re-seals everything with it, then drops the old keys from the file.
 */
export async function rotateEncryptionKey(): Promise<{
  keyId: string;
  resealed: number;
  fromEnvironment: boolean;
}> {
  const fromEnvironment = Boolean(getEnv().APP_ENCRYPTION_KEY);
  if (!fromEnvironment) {
    const current = fs.readFileSync(keyFilePath(), "utf8").split("\n").filter(Boolean);
    const fresh = newEncryptionKey();
    writeKeyFile([fresh, ...current]);
    const stale = (stored: string) => !isSealedWithCurrentKey(stored);
    // The second pass catches values another process sealed before it noticed the new key file.
    const resealed = (await resealWhere(stale)) + (await resealWhere(stale));
    writeKeyFile([fresh]);
    return { keyId: keyRing()[0]?.id ?? "", resealed, fromEnvironment };
  }
  const resealed = await resealWhere((stored) => !isSealedWithCurrentKey(stored));
  return { keyId: keyRing()[0]?.id ?? "", resealed, fromEnvironment };
}
