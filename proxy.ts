/**
 * Runs before routing, for every request but static assets:
 * - a path whose percent-encoding does not decode is rewritten to its literal text, so it reaches
 *   the routes as an id that cannot exist (the API then answers its 401/404 in the contract's
 *   envelope) instead of failing inside the framework with a plain-text 500;
 * - every page request gets its id (the caller's X-Request-Id when acceptable, else a new one),
 *   logged and answered in X-Request-Id (API handlers do the same themselves);
 * - pages get a Content-Security-Policy with a fresh nonce, which Next puts on its own scripts.
 */
import { type NextRequest, NextResponse } from "next/server";
import { logger, REQUEST_ID_HEADER, requestIdOf } from "./server/http/log";

function decodablePath(pathname: string): string | null {
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    return pathname
      .split("/")
      .map((segment) => {
        try {
          decodeURIComponent(segment);
          return segment;
        } catch {
          return encodeURIComponent(segment);
        }
      })
      .join("/");
  }
}

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
  const rewritten = decodablePath(request.nextUrl.pathname);
  if (rewritten !== null) {
    const url = request.nextUrl.clone();
    url.pathname = rewritten;
    return NextResponse.rewrite(url);
  }
  // API handlers settle their own request id, log it and answer it (server/http/observed.ts):
  // overriding request headers here would cost every API request a copy of them.
  if (request.nextUrl.pathname.startsWith("/api/")) return NextResponse.next();

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

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
