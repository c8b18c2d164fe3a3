/**
 * Signing secrets are sealed at rest (AES-256-GCM): a copied database file or dump gives none
 * away, and pages receive them only for the webhook being edited — never in the list.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import * as collection from "../app/api/v2/public/webhooks/facility/route";
import { sealLegacySecrets } from "../server/crypto/key-rotation";
import { isSealed, openSecret } from "../server/crypto/sealed-secrets";
import { getDb } from "../server/db";
import { getEnv } from "../server/env";
import { createContextInner } from "../server/trpc/init";
import { createCaller } from "../server/trpc/root";
import { createWebhook, getWebhook, listWebhooksPage } from "../server/webhooks/webhook.service";
import { createTenant, type Tenant } from "./helpers";

const KNOWN_SECRET = "KnownSecretValue-7f3c9a1e5b";
let tenant: Tenant;
let webhookId: string;

beforeAll(async () => {
  tenant = await createTenant(1);
  const webhook = await createWebhook({
    principal: tenant.clientPrincipal,
    input: { url: "https://receiver.example/sealed", events: ["shift.created"], secrets: [KNOWN_SECRET] },
  });
  webhookId = webhook.id;
});

/** Everything the database holds, as an attacker with a copy of it would read it. */
function rawDatabaseContents(): string {
  const env = getEnv();
  if (env.provider === "sqlite") {
    const files = [env.databaseFile, `${env.databaseFile}-wal`].filter((f) => fs.existsSync(f));
    return files.map((f) => fs.readFileSync(f).toString("latin1")).join("");
  }
  return execFileSync("pg_dump", ["--data-only", env.DATABASE_URL], {
    maxBuffer: 256 * 1024 * 1024,
  }).toString();
}

describe("secrets at rest", () => {
  it("the database file (SQLite) or a pg_dump (PostgreSQL) does not contain a known secret", async () => {
    const raw = rawDatabaseContents();
    expect(raw).toContain(webhookId); // the copy does hold the webhook…
    expect(raw).not.toContain(KNOWN_SECRET); // …but not its secret
  });

  it("the API and the edit page still read the secret", async () => {
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId })).secrets).toEqual([
      KNOWN_SECRET,
    ]);
    const response = await collection.GET(
      new Request("http://localhost/api/v2/public/webhooks/facility", {
        headers: { authorization: `Bearer ${tenant.client.token}` },
      }),
      { params: Promise.resolve({}) },
    );
    expect((await response.json()).data[0].secrets).toEqual([KNOWN_SECRET]);
  });

  it("a sealed value copied onto another webhook does not open", async () => {
    const { value } = await getDb().webhookSecret.findFirstOrThrow({ where: { webhookId } });
    expect(isSealed(value)).toBe(true);
    expect(openSecret(value, webhookId)).toBe(KNOWN_SECRET);
    expect(() => openSecret(value, "another-webhook-id")).toThrow();
  });

  it("secrets stored before sealing existed are sealed at start, and read the same", async () => {
    const legacy = await createWebhook({
      principal: tenant.clientPrincipal,
      input: { url: "https://receiver.example/legacy", events: ["shift.created"] },
    });
    await getDb().webhookSecret.updateMany({
      where: { webhookId: legacy.id },
      data: { value: KNOWN_SECRET },
    });
    expect(await sealLegacySecrets()).toBe(1);
    const { value } = await getDb().webhookSecret.findFirstOrThrow({ where: { webhookId: legacy.id } });
    expect(isSealed(value)).toBe(true);
    expect((await getWebhook({ principal: tenant.userPrincipal, webhookId: legacy.id })).secrets).toEqual([
      KNOWN_SECRET,
    ]);
    expect(await sealLegacySecrets()).toBe(0);
  });
});

describe("secrets in pages", () => {
  it("the list (server-rendered first page and the tRPC query) carries no secrets", async () => {
    const page = await listWebhooksPage({ principal: tenant.userPrincipal, input: { limit: 50 } });
    expect(page.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(page)).not.toContain(KNOWN_SECRET);
    expect(page.items.every((item) => !("secrets" in item))).toBe(true);
    const overTrpc = await createCaller(
      createContextInner({ principal: tenant.userPrincipal }),
    ).webhooks.list({
      limit: 50,
    });
    expect(JSON.stringify(overTrpc)).not.toContain(KNOWN_SECRET);
  });
});
