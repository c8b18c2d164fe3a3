import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";

// A real SQLite file per test file, copied from the migrated template before any module opens it.
const template = inject("templateDatabase");
const file = path.join(path.dirname(template), `${randomUUID()}.db`);
fs.copyFileSync(template, file);
process.env.DATABASE_URL = `file:${file}`;
