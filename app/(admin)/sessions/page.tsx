import { requireUser } from "@/app/session";
import { SessionsList } from "@/components/sessions-list";
import { TRPCProvider } from "@/components/trpc";
import { listSessions } from "@/server/auth/sessions";

export const metadata = { title: "Sessions · Facility webhooks" };

export default async function SessionsPage() {
  const { principal } = await requireUser();
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Sessions</h1>
      <p className="mb-6 text-sm text-slate-600">
        Where you are signed in. Ending a session signs that browser out on its next request.
      </p>
      <TRPCProvider>
        <SessionsList initialSessions={await listSessions({ principal })} />
      </TRPCProvider>
    </>
  );
}
