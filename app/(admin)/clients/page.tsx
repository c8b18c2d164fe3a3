import { requireUser } from "@/app/session";
import { ApiClients } from "@/components/api-clients";
import { TRPCProvider } from "@/components/trpc";
import { listClients } from "@/server/accounts/clients.service";

export const metadata = { title: "API clients · Facility webhooks" };

export default async function ClientsPage() {
  const { principal } = await requireUser();
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">API clients</h1>
      <p className="mb-6 text-sm text-slate-600">
        Machine clients of the public API. Each acts with your facility access, on its own webhooks only.
      </p>
      <TRPCProvider>
        <ApiClients initialClients={await listClients({ principal })} />
      </TRPCProvider>
    </>
  );
}
