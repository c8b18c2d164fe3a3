/**
 * Endpoints as the worker's limits see them: the address and port actually connected to, not the
 * URL's host name — wildcard DNS gives a tenant as many names as it likes, never more addresses
 * than it has machines. Each endpoint has a circuit breaker: one that keeps timing out holds at most
 * one of the pool's slots (a probe, at growing intervals) until it answers again.
 */
import dns from "node:dns/promises";
import { isIP } from "node:net";
import { LRUCache } from "lru-cache";

/** How long a name's address is reused for the endpoint key (the connection resolves again anyway). */
const ADDRESS_TTL_MS = 30_000;
const addresses = new LRUCache<string, string>({ max: 10_000, ttl: ADDRESS_TTL_MS });

/**
 * The endpoint a URL connects to, as "address:port". A name that does not resolve keys by itself:
 * its attempt fails at once anyway, holding no slot for long.
 */
export async function endpointOf(url: string): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "";
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const port = parsed.port || "443";
  if (isIP(host)) return `${host}:${port}`;
  let address = addresses.get(host);
  if (address === undefined) {
    address = await dns.lookup(host).then(
      (found) => found.address,
      () => host,
    );
    addresses.set(host, address);
  }
  return `${address}:${port}`;
}

/** The first probe of an open circuit comes after this long; each failed probe doubles it. */
export const FIRST_PROBE_AFTER_MS = 5_000;
export const LONGEST_PROBE_INTERVAL_MS = 300_000;

/**
 * One endpoint's circuit: closed while it answers; open after `openAfter` timeouts in a row. While
 * open, only one attempt at a time goes out, and only once its probe time has come; the others
 * fail at once without holding a slot (their deliveries retry on the contract's schedule).
 */
export class Circuit {
  private timeouts = 0;
  private probeAt = 0;
  private probeInterval = FIRST_PROBE_AFTER_MS;
  private probing = false;

  constructor(private readonly openAfter: number) {}

  get open(): boolean {
    return this.timeouts >= this.openAfter;
  }

  /** Whether an attempt may go out now; while open, the one that may becomes the probe. */
  admit(now: number): boolean {
    if (!this.open) return true;
    if (this.probing || now < this.probeAt) return false;
    this.probing = true;
    return true;
  }

  /** When an attempt refused now could next be admitted. */
  get nextProbeAt(): number {
    return this.probeAt;
  }

  /** What an attempt came to: an answer of any kind closes the circuit, a timeout counts. */
  settle(timedOut: boolean, now: number): void {
    const wasProbe = this.probing;
    this.probing = false;
    if (!timedOut) {
      this.timeouts = 0;
      this.probeInterval = FIRST_PROBE_AFTER_MS;
      return;
    }
    this.timeouts++;
    if (!this.open) return;
    if (wasProbe) this.probeInterval = Math.min(this.probeInterval * 2, LONGEST_PROBE_INTERVAL_MS);
    this.probeAt = now + this.probeInterval;
  }
}
