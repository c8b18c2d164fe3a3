/**
 * `npm start`: build if there is no build yet, migrate, seal any secrets stored before sealing,
 * seed demo data into an empty embedded database, then serve (scripts/serve.ts) on PORT (default
 * 3000) and HOSTNAME (every interface when unset).
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { seedDemoDataIfEmpty } from "../server/accounts/demo";
import { sealLegacySecrets } from "../server/crypto/key-rotation";
import { keyRing } from "../server/crypto/sealed-secrets";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { applyMigrations, targetFor } from "../server/migrations";

const next = "node_modules/.bin/next";

if (!fs.existsSync(".next/BUILD_ID")) {
  console.log("No production build yet: building (about a minute)…");
  const build = spawnSync(next, ["build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const env = getEnv();
const applied = await applyMigrations(targetFor(env));
if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);

keyRing(); // refuses to start without a usable encryption key, before serving anything
const sealed = await sealLegacySecrets();
if (sealed) console.log(`Sealed ${sealed} webhook secrets stored before encryption at rest`);

const demo = await seedDemoDataIfEmpty();
if (demo) {
  console.log(`
Demo data created in ${env.databaseFile} (shown once; not stored in readable form):
  Sign in:    ${demo.email} / ${demo.password}
  API client: ${demo.clientId}
  API token:  ${demo.token}
`);
}

await getDb().$disconnect();

// The server runs in a process of its own, which opens its own connections and handles signals
// (instrumentation.ts): the embedded worker finishes the attempts in flight before it exits.
const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
