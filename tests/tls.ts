import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * A self-signed certificate for https://127.0.0.1 and https://localhost, made with openssl, for
 * local receivers in tests and the benchmark. The sending process trusts it through
 * NODE_EXTRA_CA_CERTS, as an operator's would.
 */
export function createSelfSignedCertificate(dir: string): { certFile: string; keyFile: string } {
  fs.mkdirSync(dir, { recursive: true });
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
