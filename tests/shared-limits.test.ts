/**
 * Limits as an attacker meets them, through the production server (scripts/serve.ts): a client
 * cannot choose its own address with X-Forwarded-For, and on PostgreSQL — where production runs
 * several instances — the per-client API limit and the sign-in throttle hold across two instances
 * on one database instead of multiplying by them.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getEnv } from "../server/env";
import { type AppServer, createTenant, startAppServer } from "./helpers";

const built = fs.existsSync(path.join(import.meta.dirname, "../.next/BUILD_ID"));
const postgres = getEnv().provider === "postgresql";

const servers: AppServer[] = [];
afterAll(() => {
  for (const server of servers) server.process.kill();
});
async function server(env: Record<string, string> = {}) {
  const started = await startAppServer(env);
  servers.push(started);
  return started;
}

/**
 * Signs in through the login page's own form as a browser without scripts does: the page's hidden
 * fields name the server action. The answer: "signed in", or the refusal the page shows.
 */
async function signInThroughForm(
  { url }: AppServer,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const page = await (await fetch(`${url}/login`)).text();
  const form = new FormData();
  for (const [, name = "", value = ""] of page.matchAll(
    /<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g,
  )) {
    form.append(name, value.replaceAll("&quot;", '"'));
  }
  form.append("email", email);
  form.append("password", password);
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { origin: url, ...headers },
  });
  if (response.status === 303) return `signed in; ${response.headers.get("set-cookie")}`;
  return (
    (await response.text()).match(/Invalid email or password|Too many attempts[^<&]*/)?.[0] ?? "no answer"
  );
}

const deviceCookieOf = (signedIn: string) => signedIn.match(/device=[^;]+/)?.[0] ?? "";

async function createdFrom(server: AppServer, token: string, headers: Record<string, string>) {
  const created = await fetch(`${server.url}/api/v2/public/webhooks/facility`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ url: "https://receiver.example/a", events: ["shift.created"] }),
  });
  const { data } = (await created.json()) as { data: { id: string } };
  const history = await fetch(`${server.url}/api/v2/public/webhooks/facility/${data.id}/history`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const [entry] = ((await history.json()) as { data: { ip: string }[] }).data;
  return entry?.ip;
}

describe.runIf(built && postgres)("limits shared by two instances on one PostgreSQL", () => {
  it("the per-client API limit counts every instance's requests together", async () => {
    const [a, b] = await Promise.all([
      server({ API_RATE_LIMIT_PER_MINUTE: "20" }),
      server({ API_RATE_LIMIT_PER_MINUTE: "20" }),
    ]);
    const tenant = await createTenant(1);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${(i % 2 ? a : b).url}/api/v2/public/webhooks/facility`, {
        headers: { authorization: `Bearer ${tenant.client.token}` },
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  }, 60_000);

  it("the sign-in throttle counts guesses at either instance, and the owner's browser still signs in", async () => {
    const [a, b] = await Promise.all([server(), server()]);
    const tenant = await createTenant(1);
    const owner = await signInThroughForm(a, tenant.user.email, tenant.password);
    expect(owner).toMatch(/^signed in/);
    for (let i = 0; i < 6; i++) {
      expect(await signInThroughForm(i % 2 ? a : b, tenant.user.email, `guess-${i}`)).toMatch(
        /Invalid email or password|Too many attempts/,
      );
    }
    for (const instance of [a, b]) {
      expect(await signInThroughForm(instance, tenant.user.email, tenant.password)).toBe(
        "Too many attempts. Try again in 15 minutes.",
      );
      const answer = await signInThroughForm(instance, tenant.user.email, tenant.password, {
        cookie: deviceCookieOf(owner),
      });
      expect(answer, instance.url).toMatch(/^signed in/);
    }
  }, 60_000);
});

// Last: its sign-in guesses leave this machine's address blocked for the file's other servers.
describe.runIf(built)("the client's address", () => {
  it("without a proxy, a forged X-Forwarded-For is neither the history's ip nor a way round the per-address sign-in limit", async () => {
    const direct = await server();
    const tenant = await createTenant(1);
    expect(await createdFrom(direct, tenant.client.token, { "x-forwarded-for": "203.0.113.9" })).toBe(
      "127.0.0.1",
    );
    // Each guess claims another address; all of them count against this one (30 per 15 minutes).
    let guesses = 0;
    while (guesses < 40) {
      const answer = await signInThroughForm(direct, `nobody-${guesses}@example.com`, "wrong", {
        "x-forwarded-for": `198.51.100.${guesses}`,
      });
      if (answer !== "Invalid email or password") break;
      guesses++;
    }
    expect(guesses).toBeLessThanOrEqual(30);
    expect(
      await signInThroughForm(direct, tenant.user.email, tenant.password, {
        "x-forwarded-for": "192.0.2.77",
      }),
    ).toBe("Too many attempts. Try again in 15 minutes.");
  }, 60_000);

  it("behind TRUST_PROXY=1, the address the proxy appended is the client's", async () => {
    const proxied = await server({ TRUST_PROXY: "1" });
    const tenant = await createTenant(1);
    expect(
      await createdFrom(proxied, tenant.client.token, { "x-forwarded-for": "203.0.113.9, 198.51.100.7" }),
    ).toBe("198.51.100.7");
  }, 60_000);
});
