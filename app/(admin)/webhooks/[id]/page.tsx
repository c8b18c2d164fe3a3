import { notFound } from "next/navigation";
import { requireUser } from "@/app/session";
import { WebhookDeliveries } from "@/components/webhook-deliveries";
import { WebhookForm } from "@/components/webhook-form";
import { WebhookHistory } from "@/components/webhook-history";
import { WebhookTabs } from "@/components/webhook-tabs";
import { AppError } from "@/server/errors";
import { getFormOptions, getWebhook } from "@/server/webhooks/webhook.service";

export const metadata = { title: "Edit webhook · Facility webhooks" };

export default async function EditWebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { principal } = await requireUser();
  const { id } = await params;
  const [webhook, options] = await Promise.all([
    getWebhook({ principal, webhookId: id }).catch((error) => {
      if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
      throw error;
    }),
    getFormOptions({ principal }),
  ]);
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Edit webhook</h1>
      <p className="mb-6 font-mono text-xs text-slate-500">{webhook.id}</p>
      <WebhookTabs
        // A new version (a restore, then a refresh) remounts the form with the stored values.
        settings={<WebhookForm key={webhook.version} options={options} webhook={webhook} />}
        deliveries={<WebhookDeliveries webhookId={webhook.id} facilities={webhook.facilities} />}
        history={<WebhookHistory webhookId={webhook.id} />}
      />
    </>
  );
}
