/** The one place that reads process.env: validated once, with the embedded defaults. */
import path from "node:path";
import { z } from "zod";
import type { Provider } from "./prisma-schema";

/** A duration like "90s", "5m", "1h" or "5d", in milliseconds. */
function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = durationMs(value.trim());
      if (ms === null) {
        ctx.addIssue({ code: "custom", message: 'must be a duration like "90s", "5m", "1h" or "5d"' });
        return z.NEVER;
      }
      return ms;
    });
}

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
  /** The app's public address. An https:// one makes the session cookie Secure and __Host- prefixed. */
  APP_URL: z.url({ protocol: /^https?$/, error: "APP_URL must be an http(s) URL" }).optional(),
  /**
   * Keys sealing webhook secrets at rest: base64 of 32 bytes, several separated by commas — the
   * first seals, all open (`npm run admin -- keys rotate` re-seals everything with the first).
   * Unset on SQLite, a key generated on first start is kept beside the database file (mode 0600).
   */
  APP_ENCRYPTION_KEY: z.string().optional(),
  /** Seeds demo data into an empty configured database too (always on the embedded default). */
  DEMO_DATA: z.enum(["0", "1"]).optional(),
  /**
   * Proxies in front of the app whose X-Forwarded-For entries are believed: 0 (the default) uses
   * the socket's address whatever a client sends; 1 behind one load balancer, and so on.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Requests one credential may make per minute: an API client on the public API, a signed-in user
   * in the browser (each tRPC procedure). Shared by every instance on PostgreSQL; 0 turns it off.
   */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  MAX_WEBHOOKS_PER_CLIENT: z.coerce.number().int().positive().default(1000),
  /** API clients one user may have (revoked ones not counted): with the cap above, bounds a fan-out. */
  MAX_CLIENTS_PER_USER: z.coerce.number().int().positive().default(20),
  /** Deliveries one publish (an event or a batch) may make; more is refused, never half done. */
  WEBHOOK_MAX_DELIVERIES_PER_PUBLISH: z.coerce.number().int().positive().default(50_000),
  /** Delays before each retry of a failed delivery, e.g. "5m,30m,60m" (the original's) or "1s,2s,3s". */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default("5m,30m,60m")
    .transform((value, ctx) => {
      const delays = value.split(",").map((part) => durationMs(part.trim()));
      if (delays.some((d) => d === null)) {
        ctx.addIssue({ code: "custom", message: 'must be durations like "5m,30m,60m" (ms, s, m, h or d)' });
        return z.NEVER;
      }
      return delays as number[];
    }),
  /** How long one delivery attempt may take before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Attempts one worker makes at once; at most WEBHOOK_PER_HOST_CONCURRENCY of them to one endpoint
   * (the address and port connected to), and at most WEBHOOK_PER_CLIENT_CONCURRENCY deliveries of
   * one API client held (from the claim until the outcome is recorded), so no tenant takes the
   * whole pool.
   */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  WEBHOOK_PER_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  WEBHOOK_PER_CLIENT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(40),
  /** An endpoint timing out this many attempts in a row gets only one attempt at a time (a probe). */
  WEBHOOK_CIRCUIT_AFTER: z.coerce.number().int().min(1).max(1000).default(3),
  /**
   * Retries come up to this fraction later than scheduled, so the retries of an outage spread out
   * (never earlier: the schedule is the contract's minimum).
   */
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** A receiver's Retry-After is honoured up to this long. */
  WEBHOOK_RETRY_AFTER_MAX: duration("1h"),
  /** A webhook whose every attempt failed for this long is disabled until an admin re-enables it. */
  WEBHOOK_DISABLE_AFTER: duration("5d"),
  /**
   * On SIGTERM the server answers 503 to health and readiness checks at once but keeps serving
   * this long, so balancers stop sending before it stops accepting (SIGINT skips it).
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** A webhook failing this long raises a notice (in the app, and by email with SMTP_URL). */
  NOTIFY_FAILING_AFTER: duration("1h"),
  /**
   * Where notice emails go out: `smtp://user:pass@host:587` (STARTTLS when offered) or
   * `smtps://…:465`. Without it notices are in the app only.
   */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "SMTP_URL must be an smtp:// or smtps:// URL" }).optional(),
  /** The From of notice emails. */
  NOTIFY_EMAIL_FROM: z.string().default("Facility webhooks <webhooks@localhost>"),
  /** Failed deliveries a bulk replay resends per second, unless the replay says otherwise. */
  WEBHOOK_REPLAY_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(20),
  /** Failed deliveries all running replays together resend per second, shared fairly between tenants. */
  WEBHOOK_REPLAY_BUDGET_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Hosts deliveries may reach even on private addresses (local development, tests). */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default("")
    .transform(
      (value) =>
        new Set(
          value
            .split(",")
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean),
        ),
    ),
  /** The only ports deliveries may connect to (hosts in WEBHOOK_ALLOWED_HOSTS excepted). */
  WEBHOOK_ALLOWED_PORTS: z
    .string()
    .default("443,8443")
    .transform((value, ctx) => {
      const ports = value.split(",").map((part) => Number(part.trim()));
      if (ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65_535)) {
        ctx.addIssue({ code: "custom", message: 'must be port numbers like "443,8443"' });
        return z.NEVER;
      }
      return new Set(ports);
    }),
  /**
   * How long a worker with nothing due rests before looking again. A publish wakes it at once (in
   * its own process, and through LISTEN/NOTIFY on PostgreSQL): this is the backstop.
   */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  /**
   * Where `npm start` sends deliveries: "process" (a worker process beside the server, so sending
   * and serving do not share an event loop), "embedded" (inside the server: one process), or "off"
   * (the server sends nothing; run `npm run worker`).
   */
  WEBHOOK_WORKER: z.enum(["process", "embedded", "off"]).default("process"),
  /** Delivery logs older than this are purged (the original service keeps 14 days). */
  LOG_RETENTION_DAYS: z.coerce.number().positive().default(14),
  /** Webhook change history older than this is purged, deleted webhooks' included. */
  HISTORY_RETENTION_DAYS: z.coerce.number().positive().default(365),
  /** The bearer token a Prometheus scraper sends to GET /metrics; unset, /metrics does not exist. */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  /** The key of the internal publishing endpoint; unset, the endpoint refuses everything. */
  OPERATOR_KEY: z.string().min(32, "OPERATOR_KEY must be at least 32 characters").optional(),
});

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string): number | null {
  const match = text.match(/^(\d+)(ms|s|m|h|d)$/);
  return match ? Number(match[1]) * (UNITS[match[2] ?? ""] ?? 0) : null;
}

export type Env = z.infer<typeof envSchema> & {
  provider: Provider;
  /** SQLite: the absolute path of the database file. */
  databaseFile: string;
  /** No DATABASE_URL given: the embedded SQLite default of `npm start`. */
  embeddedDefault: boolean;
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
    embeddedDefault: !process.env.DATABASE_URL,
    databaseFile: provider === "sqlite" ? path.resolve(url.replace(/^file:/, "")) : "",
  };
  return cached;
}
