/**
 * Procedures one tRPC request may carry. The browser's batch link sends at most this many, and the
 * server refuses a larger batch (400), so one request cannot run hundreds of procedures.
 */
export const TRPC_MAX_BATCH = 10;
