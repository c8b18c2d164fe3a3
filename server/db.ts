/**
 * The one Prisma client: SQLite through better-sqlite3 for a `file:` DATABASE_URL, PostgreSQL
 * through node-postgres otherwise. Both clients are generated from the same models, so the rest of
 * the server uses one type.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
} from "@prisma/driver-adapter-utils";
import type Database from "better-sqlite3";
import { LRUCache } from "lru-cache";
import { type Env, getEnv } from "./env";
import { AppError, NUL_REFUSAL } from "./errors";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client";
import { PrismaClient } from "./generated/sqlite/client";

export type Db = PrismaClient;
/** The client an interactive transaction hands its callback. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

// WAL lets readers run beside the writer; NORMAL is safe in WAL mode (a power cut may lose the
// last commits, never corrupt) and avoids a disk sync per write.
const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/** Prepared statements kept per SQLite connection (the distinct statements the app runs, with room). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * A better-sqlite3 adapter factory: the stock adapter (its type conversions and error mapping)
 * over a connection that carries the product's pragmas, keeps its prepared statements, and opens
 * transactions with the write lock already taken.
 */
export function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const base = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const withPragmas = async (connect: () => ReturnType<typeof base.connect>) => {
    const adapter = await connect();
    await adapter.executeScript(SQLITE_PRAGMAS);
    const client = (adapter as unknown as { client: Database.Database }).client;
    cacheStatements(client);
    addPostgresFunctions(client);
    return refusingNul(adapter);
  };
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: () => withPragmas(() => base.connect()),
    connectToShadowDb: () => withPragmas(() => base.connectToShadowDb()),
  };
}

/**
 * PostgreSQL's functions that the product's SQL uses and SQLite lacks, so one statement runs on
 * both: `regexp_replace(text, pattern, replacement)` (first match; `\1` refers to a group).
 */
function addPostgresFunctions(db: Database.Database): void {
  const patterns = new LRUCache<string, RegExp>({ max: 100 });
  db.function("regexp_replace", { deterministic: true }, (text, pattern, replacement) => {
    if (typeof text !== "string") return text;
    let regexp = patterns.get(String(pattern));
    if (!regexp) {
      regexp = new RegExp(String(pattern));
      patterns.set(String(pattern), regexp);
    }
    return text.replace(regexp, String(replacement).replace(/\\(\d)/g, "$$$1"));
  });
}

/**
 * The stock adapter prepares every statement on every call (`prepare(sql).bind(args)`); compiling
 * the SQL was a tenth of a PATCH's time. Here `prepare` answers from a bounded cache, with a
 * statement whose `bind` hands the arguments to each run instead of binding them for good.
 *
 * Its transactions start with a plain (deferred) BEGIN: when another process (the CLI, a second
 * server, a worker) commits between such a transaction's first read and its first write, SQLite
 * refuses the write at once with SQLITE_BUSY instead of waiting. BEGIN IMMEDIATE takes the write
 * lock up front, so the busy timeout applies and transactions queue instead of failing.
 */
function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new LRUCache<string, Database.Statement>({ max: STATEMENT_CACHE_SIZE });
  const cachedPrepare = (sql: string) => {
    const text = sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql;
    let statement = cache.get(text);
    if (!statement) {
      statement = prepare(text);
      cache.set(text, statement);
    }
    const cached = statement;
    const bound = (args: unknown[]) => ({
      reader: cached.reader,
      run: () => cached.run(args),
      columns: () => cached.columns(),
      raw: () => ({ all: () => cached.raw(true).all(args) }),
    });
    return { ...bound([]), bind: bound };
  };
  db.prepare = cachedPrepare as unknown as typeof db.prepare;
}

/**
 * Text with the NUL character is refused before any statement runs, on both backends: PostgreSQL
 * cannot store it and fails the whole statement (a 500, or a whole batch rolled back), while SQLite
 * would store it. Whatever door it came through, the caller gets the same actionable 400
 * (`asAppError` recognises the refusal through Prisma's wrapping).
 */
const hasNul = (value: unknown): boolean =>
  typeof value === "string" ? value.includes("\0") : Array.isArray(value) && value.some(hasNul);

function refusingNulIn<Q extends SqlQueryable>(queryable: Q): Q {
  const checked = (query: SqlQuery) => {
    if (query.args.some(hasNul)) throw new AppError("BAD_REQUEST", NUL_REFUSAL);
    return query;
  };
  const queryRaw = queryable.queryRaw.bind(queryable);
  const executeRaw = queryable.executeRaw.bind(queryable);
  queryable.queryRaw = (query) => queryRaw(checked(query));
  queryable.executeRaw = (query) => executeRaw(checked(query));
  return queryable;
}

function refusingNul<A extends SqlDriverAdapter>(adapter: A): A {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => refusingNulIn(await startTransaction(isolationLevel));
  return refusingNulIn(adapter);
}

/** node-postgres through the stock adapter, with named statements and NUL refused. */
function postgresAdapter(
  env: Pick<Env, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "DATABASE_STATEMENT_TIMEOUT_MS">,
): SqlMigrationAwareDriverAdapterFactory {
  const base = stockPostgresAdapter(env);
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => refusingNul(await base.connect()),
    connectToShadowDb: async () => refusingNul(await base.connectToShadowDb()),
  };
}

const stockPostgresAdapter = (
  env: Pick<Env, "DATABASE_URL" | "DATABASE_POOL_SIZE" | "DATABASE_STATEMENT_TIMEOUT_MS">,
) =>
  new PrismaPg(
    {
      connectionString: env.DATABASE_URL,
      max: env.DATABASE_POOL_SIZE,
      statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS || undefined,
    },
    // Named statements: each connection parses a statement once, then only binds and executes it.
    // No name (typed as a string, but node-postgres takes none) runs the statement unnamed.
    { statementNameGenerator: (query) => statementName(query.sql) as string },
  );

/**
 * SQL whose text varies with a list's length: `IN ($1,$2,…)`, a second `VALUES` row, a second
 * `WHEN … THEN` arm. PostgreSQL keeps a named statement for its connection's life, so naming each
 * length would pile up thousands per connection; these run unnamed (parsed each time) instead.
 */
const LIST_SQL = /\bIN \(\$\d+\s*,|\)\s*,\s*\(\s*\$\d+|THEN \$\d+ WHEN \$\d+/i;

/** Distinct statements named per process, so per connection too, whatever SQL comes along. */
const MAX_NAMED_STATEMENTS = 200;
const statementNames = new Map<string, string>();

/**
 * A name per distinct SQL text (a hash, so every connection and process agrees on it), or none for
 * list-shaped SQL and once MAX_NAMED_STATEMENTS texts have names.
 */
function statementName(sql: string): string | undefined {
  const known = statementNames.get(sql);
  if (known || statementNames.size >= MAX_NAMED_STATEMENTS || LIST_SQL.test(sql)) return known;
  const name = `s_${createHash("sha1").update(sql).digest("base64url")}`;
  statementNames.set(sql, name);
  return name;
}

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
