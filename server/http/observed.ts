/**
 * Wraps an API route handler: runs it under its request id (see log.ts) and answers that id in
 * `X-Request-Id`, logs one request line, and counts it in the request-duration metric by route
 * (the template, never the raw path: ids would make every request a series of its own).
 */
import { metrics } from "../operations/metrics";
import { currentRequestId, logger, REQUEST_ID_HEADER, requestIdOf, withRequestId } from "./log";

export function observed<Rest extends unknown[]>(
  route: string,
  handler: (request: Request, ...rest: Rest) => Promise<Response> | Response,
) {
  return (request: Request, ...rest: Rest): Promise<Response> =>
    withRequestId(requestIdOf(request.headers), async () => {
      const started = performance.now();
      let status = 500;
      try {
        const response = await handler(request, ...rest);
        status = response.status;
        response.headers.set(REQUEST_ID_HEADER, currentRequestId() ?? "");
        return response;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        metrics().requestDuration.observe({ route, method: request.method, status }, seconds);
        logger.info({ method: request.method, route, status, ms: Math.round(seconds * 1000) }, "request");
      }
    });
}
