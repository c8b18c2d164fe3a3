/**
 * `npm run fuzz`: the property-based suite (tests/properties.test.ts) with a random seed and many
 * runs. The seed is printed first: FUZZ_SEED=<seed> FUZZ_RUNS=<runs> replays a failure exactly.
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";

const seed = process.env.FUZZ_SEED ?? String(randomInt(2 ** 31));
const runs = process.env.FUZZ_RUNS ?? "1000";
console.log(`fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);
const result = spawnSync("node_modules/.bin/vitest", ["run", "tests/properties.test.ts"], {
  stdio: "inherit",
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
process.exit(result.status ?? 1);
