/**
 * Which database the suites run against: SQLite files by default; PostgreSQL when
 * TEST_DATABASE=postgresql, on the server named by TEST_POSTGRES_URL (a role that may create
 * databases). Each test file gets its own database, copied from one migrated template.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type TestBackend = "sqlite" | "postgresql";

export function testBackend(): TestBackend {
  const backend = process.env.TEST_DATABASE ?? "sqlite";
  if (backend !== "sqlite" && backend !== "postgresql")
    throw new Error(`TEST_DATABASE must be sqlite or postgresql`);
  if (backend === "postgresql" && !process.env.TEST_POSTGRES_URL) {
    throw new Error(
      "TEST_DATABASE=postgresql needs TEST_POSTGRES_URL, e.g. postgresql://user:pw@127.0.0.1:5432/postgres",
    );
  }
  return backend;
}

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

function postgresUrl(database: string): string {
  const url = new URL(process.env.TEST_POSTGRES_URL ?? "");
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database of the test backend: its DATABASE_URL and how to drop it. */
export async function createEmptyDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (testBackend() === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    return {
      url: `file:${path.join(dir, "test.db")}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = uniqueName(prefix);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    url: postgresUrl(name),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

/** A copy of the migrated template, for one test file. */
export async function copyDatabase(templateUrl: string): Promise<string> {
  if (templateUrl.startsWith("file:")) {
    const template = templateUrl.slice("file:".length);
    const copy = path.join(path.dirname(template), `${randomBytes(6).toString("hex")}.db`);
    fs.copyFileSync(template, copy);
    return `file:${copy}`;
  }
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `${template}_${randomBytes(4).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return postgresUrl(name);
}

/** Drops the template and every copy of it. */
export async function dropDatabaseFamily(templateUrl: string): Promise<void> {
  if (templateUrl.startsWith("file:")) return;
  const template = new URL(templateUrl).pathname.slice(1);
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\\_%'",
      [template],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
