import { defineConfig } from "@playwright/test";

const PORT = 3100;
// The e2e server and the test fixtures (which seed tenants) share this SQLite file.
const DATABASE = "data/e2e.db";
process.env.DATABASE_URL = `file:./${DATABASE}`;

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
    command: `rm -f ${DATABASE} ${DATABASE}-wal ${DATABASE}-shm && npm start`,
    url: `http://127.0.0.1:${PORT}/login`,
    env: { PORT: String(PORT), HOSTNAME: "127.0.0.1", DATABASE_URL: `file:./${DATABASE}` },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "ignore",
  },
});
