/**
 * The one Prisma client: SQLite through better-sqlite3 for a `file:` DATABASE_URL, PostgreSQL
 * through node-postgres otherwise. Both clients are generated from the same models, so the rest of
 * the server uses one type.
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { type Env, getEnv } from "./env";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { PrismaClient } from "./generated/sqlite/client";

export type Db = PrismaClient;
/** The client an interactive transaction hands its callback. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// WAL lets readers run beside the writer; NORMAL is safe in WAL mode (a power cut may lose the
// last commits, never corrupt) and avoids a disk sync per write.
const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/** A better-sqlite3 adapter factory whose connections carry the product's pragmas. */
export function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const base = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const withPragmas = async (connect: () => ReturnType<typeof base.connect>) => {
    const adapter = await connect();
    await adapter.executeScript(SQLITE_PRAGMAS);
    const startDeferred = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) =>
      upgradeToImmediate(await startDeferred(isolationLevel));
    return adapter;
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: () => withPragmas(() => base.connect()),
    connectToShadowDb: () => withPragmas(() => base.connectToShadowDb()),
  };
}

/**
 * The adapter opens transactions with a deferred BEGIN. When another process (the CLI, a second
 * server) commits between such a transaction's first read and its first write, SQLite refuses the
 * write at once with SQLITE_BUSY instead of waiting. BEGIN IMMEDIATE takes the write lock up front,
 * so the busy timeout applies and transactions queue instead of failing.
 */
async function upgradeToImmediate(transaction: Transaction): Promise<Transaction> {
  const run = (sql: string) => transaction.executeRaw({ sql, args: [], argTypes: [] });
  try {
    await run("ROLLBACK"); // the deferred BEGIN took no lock and did nothing yet
    await run("BEGIN IMMEDIATE");
  } catch (error) {
    await transaction.rollback(); // releases the adapter's transaction lock
    throw error;
  }
  return transaction;
}

export const postgresAdapter = (
  env: Pick<Env, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "DATABASE_STATEMENT_TIMEOUT_MS">,
) =>
  new PrismaPg({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_SIZE,
    statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS || undefined,
  });

function createDb(env: Env): Db {
  if (env.provider === "sqlite") return new PrismaClient({ adapter: sqliteAdapter(env.databaseFile) });
  // The PostgreSQL client is generated from the same models: same API, another engine dialect.
  return new PostgresClient({ adapter: postgresAdapter(env) }) as unknown as Db;
}

const globalForPrisma = globalThis as unknown as { prisma?: Db };

/** Created on first use so that importing the module (e.g. during `next build`) opens nothing. */
export function getDb(): Db {
  globalForPrisma.prisma ??= createDb(getEnv());
  return globalForPrisma.prisma;
}
