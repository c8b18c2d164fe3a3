import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../server/migrations";
import { createEmptyDatabase, dropDatabaseFamily, testBackend } from "./test-database";

/** Migrates one template database; each test file then works on its own copy of it. */
export default async function setup(project: TestProject) {
  const backend = testBackend();
  // Delivery tests post to a local HTTPS receiver. Test workers start after this, so they trust
  // its certificate the way an operator's process would: through NODE_EXTRA_CA_CERTS.
  const tls = createReceiverCertificate();
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

/** A self-signed certificate for https://127.0.0.1 and https://localhost, made with openssl. */
function createReceiverCertificate(): { certFile: string; keyFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webhooks-tls-"));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", certFile],
    ],
    { stdio: "ignore" },
  );
  return { certFile, keyFile };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
    receiverTls: { certFile: string; keyFile: string };
  }
}
