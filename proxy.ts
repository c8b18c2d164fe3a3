/**
 * Runs before routing, for pages (not the API, not static assets); paths that do not decode were
 * made literal by the server before (scripts/serve.ts):
 * - every page request gets its id (the caller's X-Request-Id when acceptable, else a new one),
 *   logged and answered in X-Request-Id (API handlers do the same themselves);
 * - pages get a Content-Security-Policy with a fresh nonce, which Next puts on its own scripts.
 */
import { type NextRequest, NextResponse } from "next/server";
import { logger, REQUEST_ID_HEADER, requestIdOf } from "./server/http/log";

function contentSecurityPolicy(nonce: string, https: boolean): string {
  const development = process.env.NODE_ENV === "development"; // React's dev tools need eval
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Radix positions popovers and sonner places toasts with inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const requestId = requestIdOf(request.headers);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  logger.info({ requestId, method: request.method, path: request.nextUrl.pathname }, "page request");
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy(nonce, request.nextUrl.protocol === "https:");
  requestHeaders.set("Content-Security-Policy", policy); // Next reads the nonce from here
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

// Pages only: API handlers settle their own request id, log it and answer it
// (server/http/observed.ts), so the API pays nothing here.
export const config = {
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
