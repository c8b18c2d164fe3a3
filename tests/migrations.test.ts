import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { applyMigrations, diffMigrationsToSchema } from "../server/migrations";

const schema = fs.readFileSync(path.resolve(import.meta.dirname, "../prisma/schema.prisma"), "utf8");

describe("migrations", () => {
  it("match schema.prisma exactly (no drift)", async () => {
    expect(await diffMigrationsToSchema()).toBe("");
  });

  it("report drift when schema.prisma changes without a migration", async () => {
    const edited = schema.replace("model Facility {\n", "model Facility {\n  timezone String?\n");
    expect(edited).not.toBe(schema);
    expect(await diffMigrationsToSchema(edited)).toMatch(/ALTER TABLE "Facility" ADD COLUMN "timezone" TEXT/);
  });

  it("build a fresh database in WAL mode, once", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "migrate-")), "fresh.db");
    const applied = await applyMigrations(file);
    expect(applied.length).toBeGreaterThan(0);
    expect(await applyMigrations(file)).toEqual([]);

    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["Webhook", "WebhookFacility", "WebhookEvent"]),
    );
    db.close();
  });

  it("let the delivery fan-out find a facility's webhooks for an event through indexes", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "migrate-")), "plan.db");
    await applyMigrations(file);
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN
         SELECT f.webhookId FROM WebhookFacility f
         JOIN WebhookEvent e ON e.webhookId = f.webhookId
         WHERE f.facilityId = ? AND e.event IN (?, 'all')`,
      )
      .all("P-1", "shift.created") as { detail: string }[];
    db.close();
    const details = plan.map((row) => row.detail).join("\n");
    expect(details).toMatch(/SEARCH f USING COVERING INDEX WebhookFacility_facilityId_webhookId_idx/);
    expect(details).toMatch(/SEARCH e USING (COVERING )?INDEX sqlite_autoindex_WebhookEvent_1/);
    expect(details).not.toMatch(/SCAN/);
  });
});
