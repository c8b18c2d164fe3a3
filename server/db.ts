/** The one Prisma client, on SQLite through the better-sqlite3 driver adapter. */
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { getEnv } from "./env";
import { PrismaClient } from "./generated/prisma/client";

// WAL lets readers run beside the writer; NORMAL is safe in WAL mode (a power cut may lose the
// last commits, never corrupt) and avoids a disk sync per write.
const CONNECTION_PRAGMAS =
  "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/** A better-sqlite3 adapter factory whose connections carry the product's pragmas. */
export function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const base = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const withPragmas = async (connect: () => ReturnType<typeof base.connect>) => {
    const adapter = await connect();
    await adapter.executeScript(CONNECTION_PRAGMAS);
    return adapter;
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: () => withPragmas(() => base.connect()),
    connectToShadowDb: () => withPragmas(() => base.connectToShadowDb()),
  };
}

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** Created on first use so that importing the module (e.g. during `next build`) opens nothing. */
export function getDb(): PrismaClient {
  globalForPrisma.prisma ??= new PrismaClient({ adapter: sqliteAdapter(getEnv().databaseFile) });
  return globalForPrisma.prisma;
}
