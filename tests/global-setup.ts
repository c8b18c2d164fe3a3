import type { TestProject } from "vitest/node";
import { applyMigrations } from "../server/migrations";
import { createEmptyDatabase, dropDatabaseFamily, testBackend } from "./test-database";

/** Migrates one template database; each test file then works on its own copy of it. */
export default async function setup(project: TestProject) {
  const backend = testBackend();
  const template = await createEmptyDatabase("webhooks_test");
  await applyMigrations(
    backend === "sqlite"
      ? { provider: "sqlite", file: template.url.slice("file:".length) }
      : { provider: "postgresql", url: template.url },
  );
  project.provide("templateDatabaseUrl", template.url);
  console.log(`Tests run on ${backend}`);
  return async () => {
    await dropDatabaseFamily(template.url);
    await template.drop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}
