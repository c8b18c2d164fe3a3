import { OPENAPI_PATH } from "@/server/http/openapi";

/** The nonce the proxy put into this request's Content-Security-Policy, for the page's own scripts. */
const nonceOf = (request: Request) =>
  request.headers.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1] ?? "";

/**
 * The API reference: Swagger UI (from the swagger-ui-dist package, served by ./assets) rendering the
 * OpenAPI document. Public, like the document itself.
 */
export function GET(request: Request) {
  const nonce = nonceOf(request);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Facility webhooks</title>
<link rel="stylesheet" href="/docs/api/assets/swagger-ui.css">
</head>
<body>
<noscript><p>The reference needs JavaScript. The contract itself is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></noscript>
<main id="reference"></main>
<script nonce="${nonce}" src="/docs/api/assets/swagger-ui-bundle.js"></script>
<script nonce="${nonce}">
  SwaggerUIBundle({ url: ${JSON.stringify(OPENAPI_PATH)}, dom_id: "#reference", deepLinking: true });
</script>
</body>
</html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}
