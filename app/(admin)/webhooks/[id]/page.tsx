import { notFound } from "next/navigation";
import { requireUser } from "@/app/session";
import { Ed25519Signing } from "@/components/ed25519-signing";
import { HEALTH_RANGES, HealthCharts, type HealthRange } from "@/components/health-charts";
import { WebhookForm } from "@/components/webhook-form";
import { DisabledBanner, HealthSummary } from "@/components/webhook-health";
import { WebhookTabs } from "@/components/webhook-tabs";
import { AppError } from "@/server/errors";
import {
  getFormOptions,
  getWebhookHealthHours,
  getWebhookWithHealth,
} from "@/server/webhooks/webhook.service";
import { getWebhookSigning } from "@/server/webhooks/webhook-signing.service";

export const metadata = { title: "Edit webhook · Facility webhooks" };

export default async function EditWebhookPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ range?: string | string[] }>;
}) {
  const { principal } = await requireUser();
  const { id } = await params;
  const { range: asked } = await searchParams;
  const range: HealthRange = asked === "7d" ? "7d" : "24h";
  const [{ webhook, health }, options] = await Promise.all([
    getWebhookWithHealth({ principal, webhookId: id }).catch((error) => {
      if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
      throw error;
    }),
    getFormOptions({ principal }),
  ]);
  const [signing, hours] = await Promise.all([
    getWebhookSigning({ principal, webhookId: webhook.id }),
    getWebhookHealthHours({ principal, webhookId: webhook.id, hours: HEALTH_RANGES[range].hours }),
  ]);
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Edit webhook</h1>
      <p className="mb-6 flex flex-wrap items-center gap-3">
        <span className="font-mono text-xs text-slate-500">{webhook.id}</span>
        <HealthSummary health={health} />
      </p>
      <DisabledBanner webhookId={webhook.id} health={health} />
      <HealthCharts hours={hours} range={range} />
      <WebhookTabs
        // A new version (a restore, then a refresh) remounts the form with the stored values.
        settings={
          <>
            <WebhookForm key={webhook.version} options={options} webhook={webhook} />
            <Ed25519Signing webhookId={webhook.id} initial={signing} />
          </>
        }
        webhookId={webhook.id}
        facilities={webhook.facilities}
      />
    </>
  );
}
