/**
 * Backups that restore: `npm run admin -- db backup` taken while webhooks are being created and
 * events published, restored into a fresh database as the README says, holds every webhook
 * acknowledged before it started — its secrets opened with the key, its history — and every pending
 * delivery; and whatever it holds of the writes during it is whole.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { getDb } from "../server/db";
import { publishEvent } from "../server/deliveries/events.service";
import { getEnv } from "../server/env";
import { createWebhook } from "../server/webhooks/webhook.service";
import { adminWithEnv, createTenant } from "./helpers";
import { createEmptyDatabase, testBackend } from "./test-database";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

type Restored = {
  webhooks: { id: string; url: string; secrets: string[] }[];
  history: Record<string, number>;
  pending: string[];
};

/** Restores the backup as README's "Backup and restore" says, into a fresh database; reads it back. */
async function restore(backupFile: string): Promise<Restored> {
  const fresh = await createEmptyDatabase("restored");
  try {
    if (testBackend() === "sqlite") {
      const databaseFile = fresh.url.slice("file:".length);
      fs.copyFileSync(backupFile, databaseFile);
      fs.copyFileSync(`${backupFile}.key`, path.join(path.dirname(databaseFile), "encryption.key"));
    } else {
      await run("pg_restore", ["--no-owner", "--dbname", fresh.url, backupFile]);
    }
    const { stdout } = await run("node_modules/.bin/tsx", ["tests/read-restored.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: fresh.url },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Restored;
  } finally {
    await fresh.drop();
  }
}

describe("db backup", () => {
  it("taken under write load, restores every acknowledged webhook, secret, history entry and pending delivery", async () => {
    const tenant = await createTenant(1);
    const facilityId = tenant.facilityIds[0] ?? "";
    const acknowledged: { id: string; url: string; secrets: string[] }[] = [];
    let writing = true;
    // The load: webhooks created and events published one after another, each acknowledged in turn.
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const webhook = await createWebhook({
          principal: tenant.clientPrincipal,
          input: {
            url: `https://receiver.example/backup/${i}`,
            events: ["shift.created"],
            facilities: [facilityId],
          },
        });
        acknowledged.push({ id: webhook.id, url: webhook.url, secrets: webhook.secrets });
        await publishEvent({ eventType: "shift.created", facilityId, data: { shiftId: `s-${i}` } });
        // SQLite's driver answers synchronously: without a turn of the event loop, the backup's
        // exit would not be seen until the loop ends.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await expect.poll(() => acknowledged.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    const before = [...acknowledged];
    const pendingBefore = (
      await getDb().delivery.findMany({ where: { status: "pending" }, select: { id: true } })
    ).map((d) => d.id);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "backup-")), "webhooks.backup");
    const backup = await adminWithEnv({}, "db", "backup", file);
    writing = false;
    await writer;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Backed up the database to ${file}`);
    expect(acknowledged.length).toBeGreaterThan(before.length); // writes went on while it ran

    const restored = await restore(file);
    const byId = new Map(restored.webhooks.map((w) => [w.id, w]));
    for (const webhook of before) {
      expect(byId.get(webhook.id), webhook.url).toEqual(webhook); // secrets opened with the key
      expect(restored.history[webhook.id], webhook.url).toBe(1); // its "created" entry
    }
    expect(restored.pending).toEqual(expect.arrayContaining(pendingBefore));
    // What it holds of the writes during the backup is whole: no webhook without its secrets or history.
    for (const webhook of restored.webhooks.filter((w) =>
      w.url.startsWith("https://receiver.example/backup/"),
    )) {
      expect(webhook.secrets.length).toBeGreaterThan(0);
      expect(restored.history[webhook.id]).toBe(1);
    }
  }, 120_000);

  it("refuses to overwrite a file, and says where the key is or that it is the configured one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-"));
    const existing = path.join(dir, "taken.backup");
    fs.writeFileSync(existing, "an earlier backup");
    const refused = await adminWithEnv({}, "db", "backup", existing);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: ${existing} exists: give a new file name`);
    expect(fs.readFileSync(existing, "utf8")).toBe("an earlier backup");

    const taken = await adminWithEnv({}, "db", "backup", path.join(dir, "new.backup"));
    expect(taken.code).toBe(0);
    if (getEnv().APP_ENCRYPTION_KEY) expect(taken.stdout).toContain("sealed with APP_ENCRYPTION_KEY");
    else expect((fs.statSync(path.join(dir, "new.backup.key")).mode & 0o777).toString(8)).toBe("600");
  }, 60_000);
});
