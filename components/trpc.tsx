"use client";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import { type ReactNode, useState } from "react";
import type { AppRouter } from "@/server/trpc/root";

export const trpc = createTRPCReact<AppRouter>();

/** A session ended elsewhere (another device, an operator) sends this tab to the sign-in page. */
function toSignInWhenSignedOut(error: unknown) {
  if ((error as { data?: { code?: string } }).data?.code === "UNAUTHORIZED") window.location.assign("/login");
}

export function TRPCProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 10_000, retry: 1 } },
        queryCache: new QueryCache({ onError: toSignInWhenSignedOut }),
        mutationCache: new MutationCache({ onError: toSignInWhenSignedOut }),
      }),
  );
  const [trpcClient] = useState(() => trpc.createClient({ links: [httpBatchLink({ url: "/api/trpc" })] }));
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
