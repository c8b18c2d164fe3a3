/**
 * A path whose percent-encoding does not decode (`/facility/%E0%A4%A`) would fail inside the
 * framework with a plain-text 500. Re-encoded to its literal text, it reaches the routes as an id
 * that cannot exist, so the API answers its 401/404 in the contract's envelope and pages their 404.
 */
export function decodableUrl(url: string): string {
  const [pathname = "", ...query] = url.split("?");
  try {
    decodeURIComponent(pathname);
    return url;
  } catch {
    const literal = pathname
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
    return [literal, ...query].join("?");
  }
}
