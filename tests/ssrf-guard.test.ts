import { describe, expect, it } from "vitest";
import { isForbiddenAddress, isForbiddenLiteralUrl } from "../server/deliveries/ssrf-guard";

describe("SSRF guard", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["::1", "IPv6 loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "cloud metadata (link-local)"],
    ["100.64.0.1", "CGNAT"],
    ["224.0.0.1", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["fd00::1", "IPv6 unique local"],
    ["fe80::1", "IPv6 link-local"],
    ["::ffff:10.0.0.1", "IPv4-mapped private"],
    ["not-an-ip", "not an address"],
  ])("refuses %s (%s)", (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14"])(
    "allows the public address %s",
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it("refuses URLs on private IP literals unless the host is allowed", () => {
    expect(isForbiddenLiteralUrl("https://10.0.0.5/hook", new Set())).toBe(true);
    expect(isForbiddenLiteralUrl("https://[::1]:8443/hook", new Set())).toBe(true);
    expect(isForbiddenLiteralUrl("https://127.0.0.1:8443/hook", new Set(["127.0.0.1"]))).toBe(false);
    expect(isForbiddenLiteralUrl("https://example.com/hook", new Set())).toBe(false);
  });
});
