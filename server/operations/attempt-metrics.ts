/**
 * Delivery attempts counted for /metrics. A worker inside the server counts into the server's
 * registry. `npm start`'s worker process has no /metrics of its own: it also sends what it counted,
 * once a second, to its server — `npm start` relays the message (scripts/start.ts).
 */
import { metrics } from "./metrics";

const ATTEMPTS_MESSAGE = "delivery-attempts";

type Attempt = { outcome: "success" | "retry" | "failure"; seconds: number };
type AttemptsMessage = { type: typeof ATTEMPTS_MESSAGE; attempts: Attempt[] };

export const isAttemptsReport = (message: unknown): message is AttemptsMessage =>
  (message as AttemptsMessage | null)?.type === ATTEMPTS_MESSAGE &&
  Array.isArray((message as AttemptsMessage).attempts);

/** Counted here, and kept for the parent when this process forwards (see below). */
let forwarded: Attempt[] | null = null;

function count({ outcome, seconds }: Attempt): void {
  const { attempts, attemptDuration } = metrics();
  attempts.inc({ outcome });
  attemptDuration.observe(seconds);
}

export function countAttempt(attempt: Attempt): void {
  count(attempt);
  forwarded?.push(attempt);
}

/**
 * In `npm start`'s worker process: sends the attempts it counts to the parent once a second.
 * Returns the function that sends the last ones and stops.
 */
export function forwardAttemptsToParent(): () => Promise<void> {
  forwarded = [];
  const flush = () =>
    new Promise<void>((resolve) => {
      const batch = forwarded?.splice(0) ?? [];
      if (batch.length === 0 || !process.connected || !process.send) return resolve();
      process.send({ type: ATTEMPTS_MESSAGE, attempts: batch } satisfies AttemptsMessage, () => resolve());
    });
  const timer = setInterval(() => void flush(), 1_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await flush();
    forwarded = null;
  };
}

/** In the server: counts what its worker process reported; other messages are not ours. */
export function countReportedAttempts(message: unknown): void {
  if (!isAttemptsReport(message)) return;
  for (const attempt of message.attempts) count(attempt);
}
