/**
 * Prisma Migrate without its native engine: Prisma ships the same schema engine as WebAssembly,
 * driven through the app's own driver adapters. It reads and writes `prisma/migrations/<provider>/`
 * and the `_prisma_migrations` table exactly as `prisma migrate deploy` does.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { sqliteAdapter } from "./db";
import { migrationNames } from "./migration-names";
import { migrationsDirFor, type Provider, schemaFor } from "./prisma-schema";

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** A database to migrate: a SQLite file path or a PostgreSQL URL. */
export type Target = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

export const targetFor = (env: { provider: Provider; databaseFile: string; DATABASE_URL: string }): Target =>
  env.provider === "sqlite"
    ? { provider: "sqlite", file: env.databaseFile }
    : { provider: "postgresql", url: env.DATABASE_URL };

let wasmLoaded = false;

function loadWasm() {
  if (wasmLoaded) return;
  const bindingsPath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmPath = path.join(path.dirname(bindingsPath), "schema_engine_bg.wasm");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmPath)), {
    "./schema_engine_bg.js": engineBindings,
  });
  engineBindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  wasmLoaded = true;
}

/**
 * The engine replays each migration file into the shadow database with a single `executeRaw`,
 * which better-sqlite3 refuses for more than one statement: there a parameterless statement runs
 * as a script.
 */
async function sqliteShadow(factory: SqlMigrationAwareDriverAdapterFactory): Promise<SqlDriverAdapter> {
  const shadow = await factory.connectToShadowDb();
  const executeRaw = shadow.executeRaw.bind(shadow);
  shadow.executeRaw = (query) =>
    query.args.length ? executeRaw(query) : shadow.executeScript(query.sql).then(() => 0);
  return shadow;
}

/**
 * node-postgres reports the catalog's `"char"` columns (type OID 18), which the Prisma adapter
 * cannot map, so the engine fails describing the shadow database. They hold plain text: say so.
 */
function readCharColumnsAsText(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config);
    for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  }) as typeof pool.query;
  return pool;
}

/**
 * A throwaway PostgreSQL database for the engine to replay migrations into; dropped on dispose.
 * (The stock adapter's shadow support reconnects to the main database or leaks the shadow one.)
 */
async function postgresShadow(url: string): Promise<SqlDriverAdapter> {
  const name = `shadow_${randomBytes(8).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const shadowUrl = new URL(url);
  shadowUrl.pathname = `/${name}`;
  const pool = readCharColumnsAsText(new pg.Pool({ connectionString: shadowUrl.toString(), max: 1 }));
  const shadow = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  const dispose = shadow.dispose.bind(shadow);
  shadow.dispose = async () => {
    await dispose();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  };
  return shadow;
}

/**
 * The app's adapter for the target, recording the connections the engine opens so they are closed
 * when it is done (it keeps the main one open, which would lock the next process out of a SQLite file).
 */
function migrationAdapter(target: Target) {
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    // The engine disposes its shadow database itself; closing again at the end must be harmless.
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      disposed ??= dispose();
      return disposed;
    };
    opened.push(adapter);
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory =
    target.provider === "sqlite"
      ? sqliteAdapter(target.file)
      : new PrismaPg({ connectionString: target.url, max: 2 });
  const adapter: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(() => factory.connect()),
    connectToShadowDb: () =>
      track(() => (target.provider === "sqlite" ? sqliteShadow(factory) : postgresShadow(target.url))),
  };
  return { adapter, close: () => Promise.all(opened.map((a) => a.dispose())) };
}

async function withEngine<T>(
  target: Target,
  schema: string,
  run: (engine: engineBindings.SchemaEngine) => Promise<T>,
): Promise<T> {
  loadWasm();
  const { adapter, close } = migrationAdapter(target);
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: [["schema.prisma", schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapter),
  );
  try {
    return await run(engine);
  } finally {
    engine.free();
    await close();
  }
}

const lockfileContent = (provider: Provider) => `provider = "${provider}"\n`;

function migrationsList(provider: Provider): engineBindings.MigrationList {
  const dir = migrationsDirFor(provider);
  const directories = migrationNames(dir);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockfileContent(provider) },
    shadowDbInitScript: "",
    migrationDirectories: directories.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: {
          tag: "ok" as const,
          value: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"),
        },
      },
    })),
  };
}

/** Applies the committed migrations not yet applied; returns the names it applied. */
export async function applyMigrations(target: Target): Promise<string[]> {
  const result = await withEngine(target, schemaFor(target.provider), (engine) =>
    engine.applyMigrations({ migrationsList: migrationsList(target.provider), filters: NO_FILTERS }),
  );
  return result.appliedMigrationNames;
}

/**
 * The SQL that would bring a database built from the committed migrations up to the models
 * (empty when they agree), by replaying the migrations into a shadow database: in memory for
 * SQLite, a throwaway database on the target's server for PostgreSQL. `models` defaults to
 * prisma/models.prisma; tests pass an edited copy.
 */
export async function diffMigrationsToModels(target: Target, models?: string): Promise<string> {
  const schema = schemaFor(target.provider, models);
  const result = await withEngine(target, schema, (engine) =>
    engine.diff({
      from: { tag: "migrations", ...migrationsList(target.provider) },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  const sql = (result.stdout ?? "").trim();
  return sql.startsWith("-- This is an empty migration") ? "" : sql;
}

/** Writes the current drift as a new migration of the target's provider; returns its name, or null. */
export async function createMigration(target: Target, name: string): Promise<string | null> {
  const dir = migrationsDirFor(target.provider);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration_lock.toml"), lockfileContent(target.provider));
  const sql = await diffMigrationsToModels(target);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dirName = `${stamp}_${name.replace(/\W+/g, "_")}`;
  fs.mkdirSync(path.join(dir, dirName));
  fs.writeFileSync(path.join(dir, dirName, "migration.sql"), `${sql}\n`);
  return dirName;
}
