import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState } from "react";
import { TRPC_MAX_BATCH } from "@/server/trpc/batch";
import type { AppRouter } from "@/server/trpc/root";

/** How the browser reaches the tRPC API: batched, same origin (the session cookie goes along). */
export const apiLinks = () => [httpBatchLink<AppRouter>({ url: "/api/trpc", maxItems: TRPC_MAX_BATCH })];

/**
 * A plain tRPC client, for the edit form: its page loads no query cache, so it stays light (the
 * cached views in ./trpc.tsx load with the pages and tabs that show them).
 */
export const api = createTRPCClient<AppRouter>({ links: apiLinks() });

/** What a refused call carries: the message, and for input refusals the contract's message list. */
export type ApiError = { message: string; data?: { code?: string; messages?: string[] | null } | null };

/** A session ended elsewhere (another device, an operator) sends this tab to the sign-in page. */
export function toSignInWhenSignedOut(error: unknown) {
  if ((error as { data?: { code?: string } }).data?.code === "UNAUTHORIZED") window.location.assign("/login");
}

/**
 * One API call at a time from a component: `pending` while it runs (its buttons are disabled
 * meanwhile); a refusal goes to `onRefused`, once a signed-out tab is on its way to sign in.
 */
export function useApiCall(onRefused: (error: ApiError) => void) {
  const [pending, setPending] = useState(false);
  const call = async (action: () => Promise<void>) => {
    setPending(true);
    try {
      await action();
    } catch (error) {
      toSignInWhenSignedOut(error);
      onRefused(error as ApiError);
    } finally {
      setPending(false);
    }
  };
  return { pending, call };
}

const webhookListeners = new Set<() => void>();

/** Runs `listener` whenever a webhook is saved, created or deleted from this tab. */
export function onWebhooksChanged(listener: () => void) {
  webhookListeners.add(listener);
}

/** Tells the cached lists and histories (when loaded) that a webhook changed, so they refetch. */
export function webhooksChanged() {
  for (const listener of webhookListeners) listener();
}
