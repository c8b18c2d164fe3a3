import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { addClient, addFacility, addUser } from "../server/accounts/accounts.service";
import type { Principal } from "../server/auth/principal";

/**
 * A facility admin with their own facilities and one API client, named uniquely so several
 * tenants can share one database.
 */
export async function createTenant(facilityCount = 2) {
  const tag = randomUUID().slice(0, 8);
  const facilityIds: string[] = [];
  for (let i = 1; i <= facilityCount; i++) {
    const facility = await addFacility({ id: `P-${tag}-${i}`, name: `Facility ${i} of ${tag}` });
    facilityIds.push(facility.id);
  }
  const password = `password-${tag}`;
  const user = await addUser({ email: `admin-${tag}@example.com`, password, facilityIds });
  const client = await addClient({ name: `Client ${tag}`, ownerEmail: user.email });
  const clientPrincipal: Principal = { userId: user.id, clientId: client.clientId };
  const userPrincipal: Principal = { userId: user.id, clientId: null };
  return { user, password, facilityIds, client, clientPrincipal, userPrincipal };
}

export type Tenant = Awaited<ReturnType<typeof createTenant>>;

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs `npm run admin -- …` as an operator would, against the test file's database. */
export async function adminWithEnv(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      "node_modules/.bin/tsx",
      ["scripts/admin.ts", ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

export type AppServer = { url: string; process: ChildProcess; output: () => string };

/**
 * The production build on a free port, on the test file's database: the server alone without a worker,
 * or with `viaNpmStart`, the whole of `npm start` (its worker process unless `env` says otherwise).
 */
export async function startAppServer(
  env: Record<string, string> = {},
  { viaNpmStart = false, port: wanted }: { viaNpmStart?: boolean; port?: number } = {},
): Promise<AppServer> {
  const port = wanted ?? (await freePort());
  const [command, args] = viaNpmStart
    ? ["node_modules/.bin/tsx", ["scripts/start.ts"]]
    : [process.execPath, ["--import", "tsx", "scripts/serve.ts"]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      ...(viaNpmStart ? {} : { WEBHOOK_WORKER: "off" }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.resume();
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (
    (await fetch(`${url}/login`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() - started > 30_000 || child.exitCode !== null)
      throw new Error("the app server did not start");
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling a starting server
  }
  return { url, process: child, output: () => output };
}

/** A delivery worker as `npm run worker` starts it: node itself, so signals reach the worker directly. */
export function startWorkerProcess(env: Record<string, string> = {}): ChildProcess {
  return spawn("node", ["--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
}
