/**
 * Re-sealing webhook secrets: values from before sealing existed (at start) and, after a key
 * rotation (`npm run admin -- keys rotate`), every sealed value — the live secrets, those kept in
 * history snapshots for "Restore this version", and the platform's Ed25519 private keys. Rows are rewritten in small batches, each in a short
 * transaction, so the API keeps working meanwhile.
 */
import fs from "node:fs";
import { auditEntry } from "../audit/audit";
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
import { resealSigningKeys } from "./signing-keys";

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

type Snapshot = { secrets?: string[] };

/** Re-seals the secrets in history snapshots that `needsSealing` picks; returns how many changes. */
async function resealSnapshots(needsSealing: (stored: string) => boolean): Promise<number> {
  const db = getDb();
  let resealed = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await db.webhookChange.findMany({
      where: { snapshot: { not: null }, ...(after && { id: { gt: after } }) },
      select: { id: true, webhookId: true, snapshot: true },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    const stale = rows.flatMap(({ id, webhookId, snapshot }) => {
      const parsed = JSON.parse(snapshot ?? "{}") as Snapshot;
      if (!parsed.secrets?.some(needsSealing)) return [];
      const secrets = parsed.secrets.map((stored) => sealSecret(openSecret(stored, webhookId), webhookId));
      return [{ id, before: snapshot ?? "", after: JSON.stringify({ ...parsed, secrets }) }];
    });
    await db.$transaction(
      stale.map((change) =>
        db.webhookChange.updateMany({
          where: { id: change.id, snapshot: change.before },
          data: { snapshot: change.after },
        }),
      ),
    );
    resealed += stale.length;
    after = rows.at(-1)?.id;
    if (!after || rows.length < BATCH) return resealed;
  }
}

/** Everything sealed that `needsSealing` picks: live secrets, history snapshots and signing keys. */
const resealEverything = async (needsSealing: (stored: string) => boolean) =>
  (await resealWhere(needsSealing)) +
  (await resealSnapshots(needsSealing)) +
  (await resealSigningKeys(needsSealing));

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
  const stale = (stored: string) => !isSealedWithCurrentKey(stored);
  let resealed: number;
  if (fromEnvironment) resealed = await resealEverything(stale);
  else {
    const current = fs.readFileSync(keyFilePath(), "utf8").split("\n").filter(Boolean);
    const fresh = newEncryptionKey();
    writeKeyFile([fresh, ...current]);
    // The second pass catches values another process sealed before it noticed the new key file.
    resealed = (await resealEverything(stale)) + (await resealEverything(stale));
    writeKeyFile([fresh]);
  }
  const keyId = keyRing()[0]?.id ?? "";
  // Recorded once everything is re-sealed: the rotation is many short transactions, not one.
  await getDb().$executeRaw(
    auditEntry("operator", {
      action: "sealing-key.rotated",
      accountId: null,
      target: `sealing key ${keyId}`,
      details: { resealed, fromEnvironment },
    }),
  );
  return { keyId, resealed, fromEnvironment };
}
