/**
 * Deliveries go to URLs that customers type, so they must not reach inside our network: loopback,
 * private, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast and other reserved
 * addresses are refused — checked on the address actually connected to, after DNS, so a public
 * name that resolves to a private address is refused too. Hosts in WEBHOOK_ALLOWED_HOSTS are
 * exempt (local development, tests).
 */
import dns from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/** ipaddr.js's name for the only kind of address a delivery may reach. */
const PUBLIC_RANGE = "unicast";

export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 is judged as the IPv4 address
  return parsed.range() !== PUBLIC_RANGE;
}

/**
 * The hostname of a parsed URL as an IP literal, or null when it is a name. The URL parser has
 * already rewritten every numeric form of an address (`0x7f.1`, `2130706433`) as a dotted quad, so
 * Node's strict check suffices — and costs far less than ipaddr.js's parse on every save.
 */
function ipLiteral(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return isIP(bare) ? bare : null;
}

export class ForbiddenTargetError extends Error {
  constructor(host: string, address: string) {
    super(`refused: ${host} resolves to ${address}, a private or internal address`);
    this.name = "ForbiddenTargetError";
  }
}

/** A `lookup` for sockets that resolves as usual, then refuses forbidden addresses. */
export function guardedLookup(allowedHosts: Set<string>): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = addresses as dns.LookupAddress[];
      const allowed = allowedHosts.has(hostname.toLowerCase());
      const refused = allowed ? undefined : list.find((a) => isForbiddenAddress(a.address));
      if (refused) return callback(new ForbiddenTargetError(hostname, refused.address), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`no address for ${hostname}`), "", 0);
    });
  };
}

export const PRIVATE_URL_MESSAGE = "url must not point to a private or internal address";

/** The port a URL connects to: its own, or https's 443. */
const portOf = (url: URL) => Number(url.port || 443);

/** Deliveries connect only to WEBHOOK_ALLOWED_PORTS, so they cannot be aimed at other services. */
export function isForbiddenPort(url: string, allowedHosts: Set<string>, allowedPorts: Set<number>): boolean {
  const parsed = new URL(url);
  return !allowedHosts.has(parsed.hostname) && !allowedPorts.has(portOf(parsed));
}

export const portMessage = (allowedPorts: Set<number>) =>
  `url must use one of the allowed ports: ${[...allowedPorts].join(", ")}`;

/** A URL whose host is a forbidden IP literal can never be delivered to: refuse it when saved. */
export function isForbiddenLiteralUrl(url: string, allowedHosts: Set<string>): boolean {
  const { hostname } = new URL(url);
  const literal = ipLiteral(hostname);
  return literal !== null && !allowedHosts.has(hostname) && isForbiddenAddress(literal);
}
