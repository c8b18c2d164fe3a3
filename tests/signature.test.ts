import { describe, expect, it } from "vitest";
import { signatureHeader, verifySignature } from "../server/webhooks/signature";

// Known answers computed independently with `openssl dgst -sha256 -hmac <secret>` over "<t>.<body>".
const BODY = '{"data":{"shiftId":"s-1","facilityId":"P-123456"},"eventType":"shift.created"}';
const T = 1_700_000_000;
const OLD_SECRET = "sDV1aKqitCLClI12m7UPFbAAvZfZquJw";
const NEW_SECRET = "mryefgHPBVHJwux0o3BYW7hPM0BZlcCa";
const OLD_V1 = "fc0e04397dac432aee80ffc447aec82807eca8bfcf08e6d5af13514180bbb1dd";
const NEW_V1 = "dca70e7ca5561cfa4adeeeee31121d31bc87f1f75146ece4f668c7645466838f";

describe("Nursa-Signature", () => {
  it("signs with every current secret, in the original service's format", () => {
    expect(signatureHeader(BODY, [OLD_SECRET, NEW_SECRET], T)).toBe(`t=${T}, v1=${OLD_V1}, v1=${NEW_V1}`);
    expect(signatureHeader(BODY, [NEW_SECRET], T)).toBe(`t=${T}, v1=${NEW_V1}`);
  });

  it("verifies with either secret while both sign (rotation)", () => {
    const header = `t=${T}, v1=${OLD_V1}, v1=${NEW_V1}`;
    expect(verifySignature({ header, rawBody: BODY, secret: OLD_SECRET, now: T })).toBe(true);
    expect(verifySignature({ header, rawBody: BODY, secret: NEW_SECRET, now: T + 299 })).toBe(true);
  });

  it.each([
    ["another secret", { secret: "x".repeat(32) }],
    ["a changed body", { rawBody: BODY.replace("s-1", "s-2") }],
    ["a timestamp older than 5 minutes", { now: T + 301 }],
    ["a timestamp from the future", { now: T - 301 }],
    ["no header", { header: undefined }],
    ["a header without t", { header: `v1=${OLD_V1}` }],
    ["a truncated signature", { header: `t=${T}, v1=${OLD_V1.slice(0, 63)}` }],
  ])("refuses %s", (_name, change) => {
    const call = { header: `t=${T}, v1=${OLD_V1}`, rawBody: BODY, secret: OLD_SECRET, now: T, ...change };
    expect(verifySignature(call)).toBe(false);
  });
});
