/**
 * Runs the Vitest and Playwright suites on every configured backend: SQLite always, PostgreSQL
 * too when TEST_POSTGRES_URL names a server (a role that may create databases). Each backend's
 * end-to-end run gets a fresh database of its own.
 */
import { spawnSync } from "node:child_process";
import { newEncryptionKey } from "../server/crypto/sealed-secrets";
import { createEmptyDatabase, type TestBackend } from "../tests/test-database";

const backends: TestBackend[] = process.env.TEST_POSTGRES_URL ? ["sqlite", "postgresql"] : ["sqlite"];
if (backends.length === 1) console.log("TEST_POSTGRES_URL is not set: running on SQLite only.");

function run(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

for (const backend of backends) {
  // On PostgreSQL the suites and the e2e server share one sealing key, as an operator's instances would.
  const keyEnv: Record<string, string> =
    backend === "postgresql" ? { APP_ENCRYPTION_KEY: newEncryptionKey() } : {};
  console.log(`\n=== ${backend}: unit and integration ===`);
  run("node_modules/.bin/vitest", ["run"], { TEST_DATABASE: backend, ...keyEnv });

  console.log(`\n=== ${backend}: end to end ===`);
  process.env.TEST_DATABASE = backend;
  const database = await createEmptyDatabase("webhooks_e2e");
  try {
    run("node_modules/.bin/playwright", ["test"], {
      TEST_DATABASE: backend,
      E2E_DATABASE_URL: database.url,
      ...keyEnv,
    });
  } finally {
    await database.drop();
  }
}
