/**
 * Prisma needs one `provider` per schema, so the models live in prisma/models.prisma and each
 * provider's schema is derived from them: the same models, its own generator output and
 * migration history.
 */
import fs from "node:fs";
import path from "node:path";

export const PROVIDERS = ["sqlite", "postgresql"] as const;
export type Provider = (typeof PROVIDERS)[number];

const ROOT = path.resolve(import.meta.dirname, "..");
export const MODELS_PATH = path.join(ROOT, "prisma/models.prisma");
export const GENERATED_DIR = path.join(ROOT, "server/generated");

/** Where `prisma generate` reads the derived schema; the client is generated beside it. */
export const schemaPathFor = (provider: Provider) => path.join(GENERATED_DIR, `${provider}.prisma`);
export const migrationsDirFor = (provider: Provider) => path.join(ROOT, "prisma/migrations", provider);

export function schemaFor(provider: Provider, models = fs.readFileSync(MODELS_PATH, "utf8")): string {
  return `// Derived from prisma/models.prisma by \`npm run db:generate\`: edit that file, not this one.

generator client {
  provider = "prisma-client"
  output   = "./${provider}"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}
