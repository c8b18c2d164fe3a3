/**
 * Whose request this is. Without a proxy (TRUST_PROXY=0, the default) it is the socket's address,
 * whatever `X-Forwarded-For` claims; behind N proxies, the address the outermost trusted one saw:
 * each proxy appends the address it was connected from, so only the last N entries are theirs.
 */
import ipaddr from "ipaddr.js";

/** Headers only a proxy we trust may set; from anyone else they are dropped. */
const FORWARDED_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"];

/** The client's address, from the socket's and the forwarded chain, trusting `trustedHops` proxies. */
function clientAddressOf(socketAddress: string, forwardedFor: string | undefined, trustedHops: number) {
  const chain = [
    ...(trustedHops > 0 ? (forwardedFor ?? "").split(",").map((hop) => hop.trim()) : []),
    socketAddress,
  ].filter(Boolean);
  const address = chain[Math.max(0, chain.length - 1 - trustedHops)] ?? "";
  // "::ffff:192.0.2.1" is 192.0.2.1; anything that is no address (a proxy's typo) is "unknown".
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : "unknown";
}

/**
 * Rewrites a request's headers before the app sees them: `X-Forwarded-For` becomes the one
 * resolved address (what clientAddress() reads), and without a trusted proxy the other
 * `X-Forwarded-*` headers a client sent are dropped.
 */
export function settleForwardedHeaders(
  headers: Record<string, string | string[] | undefined>,
  socketAddress: string,
  trustedHops: number,
): void {
  const forwardedFor = [headers["x-forwarded-for"] ?? []].flat().join(",");
  const address = clientAddressOf(socketAddress, forwardedFor, trustedHops);
  if (trustedHops === 0) for (const name of FORWARDED_HEADERS) delete headers[name];
  headers["x-forwarded-for"] = address;
}
