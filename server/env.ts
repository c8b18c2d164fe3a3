/** The one place that reads process.env: validated once, with the embedded defaults. */
import path from "node:path";
import { z } from "zod";

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .default("file:./data/app.db")
    .refine((url) => url.startsWith("file:"), {
      message: "DATABASE_URL must be a SQLite file URL such as file:./data/app.db",
    }),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(12),
});

export type Env = z.infer<typeof envSchema> & { databaseFile: string };

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment: ${problems.join("; ")}`);
  }
  cached = {
    ...parsed.data,
    databaseFile: path.resolve(parsed.data.DATABASE_URL.replace(/^file:/, "")),
  };
  return cached;
}
