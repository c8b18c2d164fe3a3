/**
 * Prisma Migrate without its native engine: Prisma ships the same schema engine as WebAssembly,
 * driven through the app's own driver adapter. It reads and writes `prisma/migrations/` and the
 * `_prisma_migrations` table exactly as `prisma migrate deploy` does.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { sqliteAdapter } from "./db";

const PRISMA_DIR = path.resolve(import.meta.dirname, "../prisma");
const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");
const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");
const NO_FILTERS = { externalTables: [], externalEnums: [] };

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
 * The app's SQLite adapter, with two changes for the engine: it records the connections it opens,
 * so they can be closed when the engine is done (it keeps them open and would lock out the next
 * process); and the engine replays each migration file into the shadow database with a single
 * `executeRaw`, which better-sqlite3 refuses for more than one statement, so a parameterless
 * statement runs as a script there.
 */
function migrationAdapter(databaseFile: string) {
  const factory = sqliteAdapter(databaseFile);
  const opened: SqlDriverAdapter[] = [];
  const track = async (connect: () => Promise<SqlDriverAdapter>) => {
    const adapter = await connect();
    opened.push(adapter);
    return adapter;
  };
  const adapter: SqlMigrationAwareDriverAdapterFactory = {
    ...factory,
    connect: () => track(() => factory.connect()),
    connectToShadowDb: () =>
      track(async () => {
        const shadow = await factory.connectToShadowDb();
        const executeRaw = shadow.executeRaw.bind(shadow);
        shadow.executeRaw = (query) =>
          query.args.length ? executeRaw(query) : shadow.executeScript(query.sql).then(() => 0);
        return shadow;
      }),
  };
  return { adapter, close: () => Promise.all(opened.map((a) => a.dispose())) };
}

async function withEngine<T>(databaseFile: string, run: (engine: engineBindings.SchemaEngine) => Promise<T>) {
  loadWasm();
  const schema = fs.readFileSync(SCHEMA_PATH, "utf8");
  const { adapter, close } = migrationAdapter(databaseFile);
  const engine = await engineBindings.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
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

function migrationsList(): engineBindings.MigrationList {
  const directories = fs.existsSync(MIGRATIONS_DIR)
    ? fs
        .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: {
      path: "migration_lock.toml",
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null,
    },
    shadowDbInitScript: "",
    migrationDirectories: directories.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: {
          tag: "ok" as const,
          value: fs.readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8"),
        },
      },
    })),
  };
}

/** Applies the committed migrations not yet applied; returns the names it applied. */
export async function applyMigrations(databaseFile: string): Promise<string[]> {
  const result = await withEngine(databaseFile, (engine) =>
    engine.applyMigrations({ migrationsList: migrationsList(), filters: NO_FILTERS }),
  );
  return result.appliedMigrationNames;
}

/**
 * The SQL that would bring a database built from the committed migrations up to `schema.prisma`
 * (empty when they agree). Replays the migrations into an in-memory shadow database.
 * `schema` defaults to the committed one; tests pass an edited copy.
 */
export async function diffMigrationsToSchema(schema = fs.readFileSync(SCHEMA_PATH, "utf8")): Promise<string> {
  const result = await withEngine(":memory:", (engine) =>
    engine.diff({
      from: { tag: "migrations", ...migrationsList() },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    }),
  );
  const sql = (result.stdout ?? "").trim();
  return sql.startsWith("-- This is an empty migration") ? "" : sql;
}

/** Writes the current drift as a new migration directory; returns its name, or null when none. */
export async function createMigration(name: string): Promise<string | null> {
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  if (!fs.existsSync(lockPath)) {
    fs.mkdirSync(MIGRATIONS_DIR, { recursive: true });
    fs.writeFileSync(lockPath, 'provider = "sqlite"\n');
  }
  const sql = await diffMigrationsToSchema();
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dirName = `${stamp}_${name.replace(/\W+/g, "_")}`;
  fs.mkdirSync(path.join(MIGRATIONS_DIR, dirName), { recursive: true });
  fs.writeFileSync(path.join(MIGRATIONS_DIR, dirName, "migration.sql"), `${sql}\n`);
  return dirName;
}
