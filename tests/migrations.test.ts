import fs from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { getEnv } from "../server/env";
import { applyMigrations, diffMigrationsToModels, type Target, targetFor } from "../server/migrations";
import { MODELS_PATH } from "../server/prisma-schema";
import { createEmptyDatabase, testBackend } from "./test-database";

const models = fs.readFileSync(MODELS_PATH, "utf8");
const backend = testBackend();
const targetOf = (url: string): Target =>
  url.startsWith("file:")
    ? { provider: "sqlite", file: url.slice("file:".length) }
    : { provider: "postgresql", url };

// A diff replays every migration into a shadow database through Prisma's schema engine (WebAssembly,
// in this process): seconds on a quiet machine, several times that on a loaded CI runner.
describe(`${backend} migrations`, { timeout: 90_000 }, () => {
  it("match the models exactly (no drift)", async () => {
    expect(await diffMigrationsToModels(targetFor(getEnv()))).toBe("");
  });

  it("report drift when the models change without a migration", async () => {
    const edited = models.replace("model Facility {\n", "model Facility {\n  timezone String?\n");
    expect(edited).not.toBe(models);
    expect(await diffMigrationsToModels(targetFor(getEnv()), edited)).toMatch(
      /ALTER TABLE "Facility" ADD COLUMN +"timezone" TEXT/,
    );
  });

  it("build a fresh database, and apply nothing the second time", async () => {
    const database = await createEmptyDatabase("webhooks_fresh");
    try {
      const target = targetOf(database.url);
      expect((await applyMigrations(target)).length).toBeGreaterThan(0);
      expect(await applyMigrations(target)).toEqual([]);
      if (target.provider === "sqlite") {
        const db = new Database(target.file, { readonly: true });
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
        db.close();
      }
    } finally {
      await database.drop();
    }
  });
});
