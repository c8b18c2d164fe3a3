/**
 * `npm run db:generate`   derive each provider's schema from prisma/models.prisma and generate its client
 * `npm run db:migrate`    apply the committed migrations to DATABASE_URL
 * `npm run db:diff -- <name>` write a new migration for DATABASE_URL's provider from the change to the
 *                         models (run it once with a SQLite URL and once with a PostgreSQL one)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { getEnv } from "../server/env";
import { GENERATED_DIR, PROVIDERS, schemaFor, schemaPathFor } from "../server/prisma-schema";

const [command, name] = process.argv.slice(2);

if (command === "generate") {
  fs.mkdirSync(GENERATED_DIR, { recursive: true });
  for (const provider of PROVIDERS) {
    fs.writeFileSync(schemaPathFor(provider), schemaFor(provider));
    execFileSync("node_modules/.bin/prisma", ["generate", "--schema", schemaPathFor(provider)], {
      stdio: "inherit",
      // `prisma generate` needs no schema engine, but looks for one unless told where it is.
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true" },
    });
  }
} else if (command === "migrate") {
  // Imported here: the migrator loads the generated clients, which `generate` has yet to write.
  const { applyMigrations, targetFor } = await import("../server/migrations");
  const applied = await applyMigrations(targetFor(getEnv()));
  console.log(applied.length ? `Applied ${applied.join(", ")}` : "Database is up to date");
} else if (command === "diff" && name) {
  const { createMigration, targetFor } = await import("../server/migrations");
  const target = targetFor(getEnv());
  const created = await createMigration(target, name);
  console.log(
    created
      ? `Wrote prisma/migrations/${target.provider}/${created}/migration.sql`
      : `Models and ${target.provider} migrations agree`,
  );
} else {
  console.error("usage: db.ts generate | migrate | diff <name>");
  process.exit(2);
}
