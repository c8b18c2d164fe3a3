import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
// The e2e server and the test fixtures (which seed tenants) share this database: a fresh one per
// backend from scripts/test.ts, or data/e2e.db, recreated, when Playwright runs alone.
const DEFAULT_DATABASE = "data/e2e.db";
const databaseUrl = process.env.E2E_DATABASE_URL ?? `file:./${DEFAULT_DATABASE}`;
process.env.DATABASE_URL = databaseUrl;

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
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work offline.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // `npm start` on a fresh database: the same path a user takes (migrate, seed, serve the build).
    command: process.env.E2E_DATABASE_URL
      ? "npm start"
      : `rm -f ${DEFAULT_DATABASE} ${DEFAULT_DATABASE}-wal ${DEFAULT_DATABASE}-shm && npm start`,
    url: `http://127.0.0.1:${PORT}/login`,
    env: { PORT: String(PORT), HOSTNAME: "127.0.0.1", DATABASE_URL: databaseUrl },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "ignore",
  },
});
