import { readFile } from "node:fs/promises";
import path from "node:path";

/** The only files served, from the swagger-ui-dist package (no CDN): the path never reaches the disk. */
const ASSETS = new Map([
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
  ["swagger-ui.css", "text/css; charset=utf-8"],
]);

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const type = ASSETS.get(file); // a Map: `constructor` or `__proto__` is no asset
  if (!type) return new Response("Not found", { status: 404 });
  const body = await readFile(path.join(process.cwd(), "node_modules/swagger-ui-dist", file));
  return new Response(body, {
    headers: { "content-type": type, "cache-control": "public, max-age=86400" },
  });
}
