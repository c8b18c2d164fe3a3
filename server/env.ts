/** The one place that reads process.env: validated once, with the embedded defaults. */
import path from "node:path";
import { z } from "zod";
import type { Provider } from "./prisma-schema";

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .default("file:./data/app.db")
    .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), {
      message:
        "DATABASE_URL must be a SQLite file URL (file:./data/app.db) or a PostgreSQL URL (postgresql://…)",
    }),
  /** PostgreSQL: connections per app instance. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /** PostgreSQL: a statement running longer than this is cancelled (0 = never). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(12),
});

export type Env = z.infer<typeof envSchema> & {
  provider: Provider;
  /** SQLite: the absolute path of the database file. */
  databaseFile: string;
};

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment: ${problems.join("; ")}`);
  }
  const url = parsed.data.DATABASE_URL;
  const provider: Provider = url.startsWith("file:") ? "sqlite" : "postgresql";
  cached = {
    ...parsed.data,
    provider,
    databaseFile: provider === "sqlite" ? path.resolve(url.replace(/^file:/, "")) : "",
  };
  return cached;
}
