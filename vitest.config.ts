import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    setupFiles: ["tests/setup-database.ts"],
    testTimeout: 20_000,
    // Request lines of in-process handlers would drown the test output; servers the tests start log at info.
    env: { LOG_LEVEL: "error" },
  },
});
