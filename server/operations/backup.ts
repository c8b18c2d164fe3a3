/**
 * `npm run admin -- db backup <file>`: a consistent copy of the database taken while the app runs.
 * SQLite: `VACUUM INTO` (one read transaction: writers carry on, the copy is the database as of its
 * start, compacted), and the embedded key file beside it as `<file>.key` — a backup's webhook
 * secrets are sealed, and useless without the key that sealed them. PostgreSQL: `pg_dump` in its
 * custom format (restore with `pg_restore`); the key is APP_ENCRYPTION_KEY, kept by the operator.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { keyFilePath } from "../crypto/sealed-secrets";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";

export type Backup = { file: string; bytes: number; keyFile: string | null; keyFromEnvironment: boolean };

export async function backupDatabase(file: string): Promise<Backup> {
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new AppError("BAD_REQUEST", `${file} exists: give a new file name`);
  if (!fs.existsSync(path.dirname(target))) {
    throw new AppError("BAD_REQUEST", `${path.dirname(file)} does not exist: create the directory first`);
  }
  const env = getEnv();
  const keyFromEnvironment = Boolean(env.APP_ENCRYPTION_KEY);
  if (env.provider === "postgresql") await pgDump(env.DATABASE_URL, target);
  else await getDb().$executeRaw`VACUUM INTO ${target}`;
  let keyFile: string | null = null;
  if (!keyFromEnvironment && fs.existsSync(keyFilePath())) {
    keyFile = `${target}.key`;
    fs.copyFileSync(keyFilePath(), keyFile);
    fs.chmodSync(keyFile, 0o600);
  }
  return { file: target, bytes: fs.statSync(target).size, keyFile, keyFromEnvironment };
}

function pgDump(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn("pg_dump", ["--format=custom", "--no-owner", "--file", file, url], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    dump.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    dump.on("error", () =>
      reject(
        new AppError(
          "BAD_REQUEST",
          "pg_dump was not found: install PostgreSQL's client tools (Debian: postgresql-client)",
        ),
      ),
    );
    dump.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(
            new AppError(
              "BAD_REQUEST",
              `pg_dump failed: ${stderr.trim().split("\n").at(-1) ?? `exit ${code}`}`,
            ),
          ),
    );
  });
}
