/**
 * This process's part in starting and stopping. Starting (the production server only): it warms
 * its routes before its readiness check says so. From SIGTERM on it is draining: the health and
 * readiness checks answer 503 so balancers stop sending, while it keeps serving for
 * SHUTDOWN_DRAIN_MS; then it stops accepting, lets requests in flight finish, runs its stop tasks
 * (the embedded worker records its attempts in flight) and exits. Kept on `globalThis`: the server
 * script and Next's bundled routes load this module separately, and must share one state.
 */
import { processSingleton } from "../process-singleton";

type Lifecycle = { warming: boolean; drainingSince: number | null; stopTasks: (() => Promise<unknown>)[] };

const lifecycle = () =>
  processSingleton<Lifecycle>("lifecycle", () => ({ warming: false, drainingSince: null, stopTasks: [] }));

/**
 * The first request to each route after a start loads its server code (~0.5 s), so the production
 * server asks each once before it reports ready. Elsewhere (`next dev`, tests calling handlers) a
 * process is ready from the start.
 */
export const isWarmingUp = (): boolean => lifecycle().warming;

export function setWarmingUp(warming: boolean): void {
  lifecycle().warming = warming;
}

export const isDraining = (): boolean => lifecycle().drainingSince !== null;

export function startDraining(): void {
  lifecycle().drainingSince ??= Date.now();
}

/** Work to finish before the process exits, after the last request has been answered. */
export function onStop(task: () => Promise<unknown>): void {
  lifecycle().stopTasks.push(task);
}

export async function runStopTasks(): Promise<void> {
  await Promise.all(lifecycle().stopTasks.map((task) => task()));
}

/** What the readiness route answers while warming up. */
export const WARMING_UP_ANSWER = {
  status: "starting",
  detail: "warming up: not ready for requests yet",
} as const;

/** What the health and readiness routes answer while draining. */
export const DRAINING_ANSWER = {
  status: "draining",
  detail: "shutting down: send requests elsewhere",
} as const;
