import Link from "next/link";
import { requireUser } from "@/app/session";
import { TRPCProvider } from "@/components/trpc";
import { buttonClass } from "@/components/ui/button";
import { WebhookList } from "@/components/webhook-list";
import { toContractMessages, webhookListSearchParams } from "@/server/webhooks/webhook.schemas";
import { getFormOptions, listWebhooksPage } from "@/server/webhooks/webhook.service";
import { WEBHOOK_PAGE_SIZE } from "@/server/webhooks/webhook-rules";

export const metadata = { title: "Webhooks · Facility webhooks" };

export default async function WebhooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { principal } = await requireUser();
  // The address's filters and page (written by the list's form and links); if they cannot be read,
  // the whole list, with a note saying why.
  const parsed = webhookListSearchParams.safeParse(await searchParams);
  const filters = parsed.success ? parsed.data : {};
  const [page, { facilities }] = await Promise.all([
    listWebhooksPage({ principal, input: { limit: WEBHOOK_PAGE_SIZE, ...filters } }),
    getFormOptions({ principal }),
  ]);
  return (
    <>
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Webhooks</h1>
        <Link href="/webhooks/new" className={buttonClass()}>
          New webhook
        </Link>
      </div>
      {!parsed.success && (
        <p role="alert" className="mb-4 text-sm text-red-700">
          Showing every webhook: this address's filters could not be used (
          {toContractMessages(parsed.error).join("; ")}).
        </p>
      )}
      <TRPCProvider>
        <WebhookList page={page} filters={filters} facilities={facilities} />
      </TRPCProvider>
    </>
  );
}
