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
/** How long a transaction waits for another process's write lock before it fails as busy. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * A better-sqlite3 adapter factory: the stock adapter (its type conversions and error mapping)
 * over a connection that carries the product's pragmas, keeps its prepared statements, and opens
 * transactions with the write lock already taken.
 */
export function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const base = new PrismaBetterSqlite3({ url: file, timeout: BUSY_TIMEOUT_MS });
  const withPragmas = async (connect: () => ReturnType<typeof base.connect>) => {
    const adapter = await connect();
    await adapter.executeScript(SQLITE_PRAGMAS);
    const client = (adapter as unknown as { client: Database.Database }).client;
    cacheStatements(client);
    addPostgresFunctions(client);
    return refusingNul(waitingForTheWriteLockAsynchronously(adapter, client));
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
 */
function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new LRUCache<string, Database.Statement>({ max: STATEMENT_CACHE_SIZE });
  const cachedPrepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    const cached = statement;
    const bound = (args: unknown[]) => ({
      reader: cached.reader,
      readonly: cached.readonly,
      run: () => cached.run(args),
      columns: () => cached.columns(),
      raw: () => ({ all: () => cached.raw(true).all(args) }),
    });
    return { ...bound([]), bind: bound };
  };
  db.prepare = cachedPrepare as unknown as typeof db.prepare;
}

/**
 * Transactions and single writes that wait for the write lock without blocking the event loop.
 *
 * The stock adapter begins with a plain (deferred) BEGIN: when another process (the worker, the
 * CLI, a second server) commits between such a transaction's first read and its first write,
 * SQLite refuses the write at once with SQLITE_BUSY instead of waiting. BEGIN IMMEDIATE takes the
 * lock up front — but better-sqlite3 is synchronous, so its busy timeout sleeps on the event loop:
 * while the worker wrote its outcomes, the server's publishes waited there and every other request
 * with them (2.2 s of a 12 s run of 200 single publishes a second); while the server wrote, the
 * worker's claim (one `UPDATE … RETURNING`, outside any transaction) waited there and no answer
 * was heard (3.5 s of a 28 s run). So BEGIN IMMEDIATE is tried without waiting, and tried again
 * after a timer while the lock is held elsewhere; a single write runs in such a transaction of its
 * own. This process's transactions and single writes take turns on its one connection before that
 * (a write outside them would otherwise land in whichever transaction is open). Past
 * BUSY_TIMEOUT_MS it is left to the stock path, which waits out the busy timeout once more and
 * fails as busy.
 */
function waitingForTheWriteLockAsynchronously<A extends SqlDriverAdapter>(
  adapter: A,
  client: Database.Database,
): A {
  const prepare = client.prepare.bind(client);
  let begun = false;
  // The stock adapter's BEGIN: nothing to do when the lock is already ours, else wait for it there.
  client.prepare = ((sql: string) =>
    sql !== "BEGIN"
      ? prepare(sql)
      : begun
        ? { run: () => ({ changes: 0, lastInsertRowid: 0 }) }
        : prepare("BEGIN IMMEDIATE")) as typeof client.prepare;
  const beginNow = (): boolean => {
    client.exec("PRAGMA busy_timeout = 0");
    try {
      prepare("BEGIN IMMEDIATE").run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return false;
      throw error;
    } finally {
      client.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  };
  let turns: Promise<void> = Promise.resolve();
  /** Waits for this process's turn, then for the lock (`begun` once it is held); gives the end of the turn. */
  const takeTurnAndLock = async (): Promise<() => void> => {
    let endTurn = () => {};
    const previous = turns;
    turns = new Promise((resolve) => {
      endTurn = resolve;
    });
    await previous;
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let delay = 1; !begun && Date.now() < deadline; delay = Math.min(delay * 2, 8)) {
      begun = beginNow();
      if (!begun) await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return endTurn;
  };
  const rollBack = () => {
    if (client.inTransaction) prepare("ROLLBACK").run();
  };

  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const endTurn = await takeTurnAndLock();
    try {
      const transaction = await startTransaction(isolationLevel).finally(() => {
        begun = false;
      });
      const ending = (end: () => Promise<void>) => () => end().finally(endTurn);
      transaction.commit = ending(transaction.commit.bind(transaction));
      transaction.rollback = ending(transaction.rollback.bind(transaction));
      return transaction;
    } catch (error) {
      rollBack();
      endTurn();
      throw error;
    }
  };

  // Reads run at once (WAL: they never wait for the writer); a write of rows outside a transaction
  // gets one (not VACUUM or a PRAGMA, which may not run in one; SQL that does not compile is left
  // to the stock path, which reports it).
  const writesRows = (sql: string) => {
    if (!/^\s*(?:INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i.test(sql)) return false;
    try {
      return !prepare(sql).readonly;
    } catch {
      return false;
    }
  };
  const alone =
    <R>(run: (query: SqlQuery) => Promise<R>) =>
    async (query: SqlQuery): Promise<R> => {
      if (!writesRows(query.sql)) return run(query);
      const endTurn = await takeTurnAndLock();
      try {
        // Not begun past the deadline: the stock path runs it alone, its busy timeout failing as busy.
        const result = await run(query);
        if (begun) prepare("COMMIT").run();
        return result;
      } catch (error) {
        rollBack();
        throw error;
      } finally {
        begun = false;
        endTurn();
      }
    };
  adapter.queryRaw = alone(adapter.queryRaw.bind(adapter));
  adapter.executeRaw = alone(adapter.executeRaw.bind(adapter));
  return adapter;
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
