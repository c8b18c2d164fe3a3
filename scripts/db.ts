/**
 * `npm run db:migrate` applies the committed migrations to DATABASE_URL;
 * `npm run db:diff -- <name>` writes a new migration from the change to prisma/schema.prisma.
 */
import { getEnv } from "../server/env";
import { applyMigrations, createMigration } from "../server/migrations";

const [command, name] = process.argv.slice(2);

if (command === "migrate") {
  const applied = await applyMigrations(getEnv().databaseFile);
  console.log(applied.length ? `Applied ${applied.join(", ")}` : "Database is up to date");
} else if (command === "diff" && name) {
  const created = await createMigration(name);
  console.log(created ? `Wrote prisma/migrations/${created}/migration.sql` : "Schema and migrations agree");
} else {
  console.error("usage: db.ts migrate | db.ts diff <name>");
  process.exit(2);
}
