import fs from "node:fs";

/**
 * The migrations committed in a provider's directory, by name (each a directory), in order: what
 * the migrator applies and what /api/health expects applied. A module of its own, free of
 * prisma-schema.ts's project-root lookup, which does not hold inside the server's bundle.
 */
export const migrationNames = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
