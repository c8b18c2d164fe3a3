/** Unexpected errors, one JSON line each, with the request id the client was answered. */
export function logError(requestId: string, error: unknown, context: Record<string, unknown> = {}): void {
  const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
  console.error(
    JSON.stringify({ level: "error", time: new Date().toISOString(), requestId, ...context, message, stack }),
  );
}
