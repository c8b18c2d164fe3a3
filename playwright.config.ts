import path from "node:path";
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./e2e/chromium";
import { createSelfSignedCertificate } from "./tests/tls";

const PORT = Number(process.env.E2E_PORT ?? 3100);
// The e2e server and the test fixtures (which seed tenants) share this database: a fresh one per
// backend from scripts/test.ts, or data/e2e.db, recreated, when Playwright runs alone.
const DEFAULT_DATABASE = "data/e2e.db";
const databaseUrl = process.env.E2E_DATABASE_URL ?? `file:./${DEFAULT_DATABASE}`;
process.env.DATABASE_URL = databaseUrl;
// The fixtures save webhooks pointing at the local receiver, as the server does.
process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";

// Deliveries go to a local HTTPS receiver in the tests; the server trusts its self-signed
// certificate as an operator would, through NODE_EXTRA_CA_CERTS (made once per run here).
const TLS_DIR = path.resolve("data/e2e-tls");
export const E2E_TLS = { certFile: path.join(TLS_DIR, "cert.pem"), keyFile: path.join(TLS_DIR, "key.pem") };
if (!process.env.E2E_TLS_READY) {
  createSelfSignedCertificate(TLS_DIR);
  process.env.E2E_TLS_READY = "1"; // test workers load this file again: keep the certificate the server trusts
}

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? "list" : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    // `npm start` on a fresh database: the same path a user takes (migrate, seed, serve the build).
    command: process.env.E2E_DATABASE_URL
      ? "npm start"
      : `rm -f ${DEFAULT_DATABASE} ${DEFAULT_DATABASE}-wal ${DEFAULT_DATABASE}-shm && npm start`,
    url: `http://127.0.0.1:${PORT}/login`,
    env: {
      PORT: String(PORT),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      NODE_EXTRA_CA_CERTS: E2E_TLS.certFile,
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
      // Failed attempts wait for "Resend" in the tests rather than retrying on their own.
      WEBHOOK_RETRY_SCHEDULE: "1h",
      // Bulk replays go slowly enough to watch their progress and cancel them.
      WEBHOOK_REPLAY_PER_SECOND: "1",
    },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "ignore",
  },
});
