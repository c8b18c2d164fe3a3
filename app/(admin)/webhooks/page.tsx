import Link from "next/link";
import { requireUser } from "@/app/session";
import { TRPCProvider } from "@/components/trpc";
import { buttonClass } from "@/components/ui/button";
import { WebhookList } from "@/components/webhook-list";
import { getFormOptions, listWebhooksPage } from "@/server/webhooks/webhook.service";
import { WEBHOOK_PAGE_SIZE } from "@/server/webhooks/webhook-rules";

export const metadata = { title: "Webhooks · Facility webhooks" };

export default async function WebhooksPage() {
  const { principal } = await requireUser();
  const [firstPage, { facilities }] = await Promise.all([
    listWebhooksPage({ principal, input: { limit: WEBHOOK_PAGE_SIZE } }),
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
      <TRPCProvider>
        <WebhookList firstPage={firstPage} facilities={facilities} />
      </TRPCProvider>
    </>
  );
}
