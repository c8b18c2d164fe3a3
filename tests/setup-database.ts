import { inject } from "vitest";
import { copyDatabase } from "./test-database";

// A real database per test file, copied from the migrated template before any module opens it.
process.env.DATABASE_URL = await copyDatabase(inject("templateDatabaseUrl"));
