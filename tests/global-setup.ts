import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { newEncryptionKey } from "../server/crypto/sealed-secrets";
import { applyMigrations } from "../server/migrations";
import { createEmptyDatabase, dropDatabaseFamily, testBackend } from "./test-database";
import { createSelfSignedCertificate } from "./tls";

/** Migrates one template database; each test file then works on its own copy of it. */
export default async function setup(project: TestProject) {
  const backend = testBackend();
  // PostgreSQL has no key file beside the database: test workers share one key, as instances would.
  if (backend === "postgresql") process.env.APP_ENCRYPTION_KEY ??= newEncryptionKey();
  // Delivery tests post to a local HTTPS receiver. Test workers start after this, so they trust
  // its certificate the way an operator's process would: through NODE_EXTRA_CA_CERTS.
  const tls = createSelfSignedCertificate(fs.mkdtempSync(path.join(os.tmpdir(), "webhooks-tls-")));
  process.env.NODE_EXTRA_CA_CERTS = tls.certFile;
  project.provide("receiverTls", tls);
  const template = await createEmptyDatabase("webhooks_test");
  await applyMigrations(
    backend === "sqlite"
      ? { provider: "sqlite", file: template.url.slice("file:".length) }
      : { provider: "postgresql", url: template.url },
  );
  project.provide("templateDatabaseUrl", template.url);
  console.log(`Tests run on ${backend}`);
  return async () => {
    fs.rmSync(path.dirname(tls.certFile), { recursive: true, force: true });
    await dropDatabaseFamily(template.url);
    await template.drop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
    receiverTls: { certFile: string; keyFile: string };
  }
}
