"use client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCReact } from "@trpc/react-query";
import type { ComponentType, ReactNode } from "react";
import type { AppRouter } from "@/server/trpc/root";
import { apiLinks, onWebhooksChanged, toSignInWhenSignedOut } from "./api";

export const trpc = createTRPCReact<AppRouter>();

const newQueryClient = () =>
  new QueryClient({
    defaultOptions: { queries: { staleTime: 10_000, retry: 1 } },
    queryCache: new QueryCache({ onError: toSignInWhenSignedOut }),
    mutationCache: new MutationCache({ onError: toSignInWhenSignedOut }),
  });

/** The tab's cached webhook lists and histories refetch when this tab saves, creates or deletes one. */
function refetchingWebhooksOnChange(queryClient: QueryClient) {
  onWebhooksChanged(() => void queryClient.invalidateQueries({ queryKey: [["webhooks"]] }));
  return queryClient;
}

// In the browser one cache and one client serve every provider of the tab (a page's and its lazily
// loaded tabs'). On the server each render gets its own: a shared cache would carry one user's
// initial data into another's page.
let browserQueryClient: QueryClient | undefined;
let browserTrpcClient: ReturnType<typeof trpc.createClient> | undefined;

function clients() {
  if (typeof window === "undefined") {
    return { queryClient: newQueryClient(), trpcClient: trpc.createClient({ links: apiLinks() }) };
  }
  browserQueryClient ??= refetchingWebhooksOnChange(newQueryClient());
  browserTrpcClient ??= trpc.createClient({ links: apiLinks() });
  return { queryClient: browserQueryClient, trpcClient: browserTrpcClient };
}

/** The tRPC + TanStack Query context, around the parts of a page that read through the cache. */
export function TRPCProvider({ children }: { children: ReactNode }) {
  const { queryClient, trpcClient } = clients();
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}

/** `Component` inside its own provider: for parts loaded on demand into a page that has none. */
export function withTRPC<P extends object>(Component: ComponentType<P>) {
  return function WithTRPC(props: P) {
    return (
      <TRPCProvider>
        <Component {...props} />
      </TRPCProvider>
    );
  };
}
