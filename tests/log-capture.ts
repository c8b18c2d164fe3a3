import { vi } from "vitest";
import { currentRequestId, logger } from "../server/http/log";

const withErrors = (_key: string, value: unknown) =>
  value instanceof Error ? { message: value.message, stack: value.stack } : value;

/**
 * What the server logs at `level` from now until the test's spies are restored: each line as text
 * (its fields and message) with the request id the logger adds to it.
 */
export function captureLog(level: "error" | "warn") {
  const lines: { requestId?: string; text: string }[] = [];
  vi.spyOn(logger, level).mockImplementation(((...args: unknown[]) => {
    lines.push({ requestId: currentRequestId(), text: JSON.stringify(args, withErrors) });
  }) as never);
  return lines;
}
