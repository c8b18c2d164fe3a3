import { getEnv } from "../env";

/**
 * Whether a request comes from another site's page (CSRF). SameSite=Lax keeps other sites' cookies
 * out, but not a sibling subdomain's requests, so state-changing calls check where they come from:
 * the browser's Sec-Fetch-Site when sent, else its Origin against our own. A request with neither
 * is not from a browser page, and so cannot be a cross-site forgery.
 */
export function isCrossSiteRequest(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const appUrl = getEnv().APP_URL;
  const ownHost = appUrl ? new URL(appUrl).host : request.headers.get("host");
  return !URL.canParse(origin) || new URL(origin).host !== ownHost;
}
