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
import { DUE_MESSAGE } from "../server/deliveries/due-signal";
import { getEnv } from "../server/env";
import { applyMigrations, targetFor } from "../server/migrations";
import { isAttemptsReport } from "../server/operations/attempt-metrics";

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

// The server and (WEBHOOK_WORKER=process, the default) a delivery worker run in processes of their
// own: serving and sending do not share an event loop, so a burst of either cannot queue behind the
// other. Each handles signals itself (instrumentation.ts, scripts/worker.ts): attempts in flight
// finish and are recorded before it exits. Through us, a publish in the server wakes the worker,
// and the worker's attempts reach the server's /metrics.
const child = (script: string) =>
  spawn(process.execPath, ["--import", "tsx", script], { stdio: ["inherit", "inherit", "inherit", "ipc"] });
const server = child("scripts/serve.ts");
const children = [server];
if (env.WEBHOOK_WORKER === "process") {
  const worker = child("scripts/worker.ts");
  children.push(worker);
  server.on("message", (message) => {
    if (message === DUE_MESSAGE && worker.connected) worker.send(message);
  });
  worker.on("message", (message) => {
    if (isAttemptsReport(message) && server.connected) server.send(message);
  });
}

let stopping = false;
const stopAll = (signal: NodeJS.Signals) => {
  stopping = true;
  for (const running of children) if (running.exitCode === null) running.kill(signal);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(signal));
// One part ending on its own ends the whole (a supervisor restarts it); once all have exited, so do we.
let exitCode = 0;
for (const running of children) {
  running.on("exit", (code, signal) => {
    exitCode = Math.max(exitCode, code ?? (signal && !stopping ? 1 : 0));
    if (!stopping) stopAll("SIGTERM");
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
