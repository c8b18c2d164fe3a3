"use client";
import { useRouter } from "next/navigation";
import type { WebhookHealth } from "@/server/webhooks/webhook.service";
import { api, useApiCall } from "./api";
import { formatTime } from "./format-time";
import { notify } from "./notify";
import { Button } from "./ui/button";

/** One line on how the endpoint is doing: healthy, failing (since when, how many attempts) or disabled. */
export function HealthSummary({ health }: { health: WebhookHealth }) {
  if (health.disabledAt) {
    return <span className="rounded bg-red-100 px-2 py-0.5 text-xs text-red-800">Disabled</span>;
  }
  if (health.failingSince) {
    return (
      <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">
        Failing since {formatTime(health.failingSince)} ({health.failureStreak} attempt
        {health.failureStreak === 1 ? "" : "s"})
      </span>
    );
  }
  return (
    <span className="text-xs text-slate-600">
      {health.lastSuccessAt ? `Last success ${formatTime(health.lastSuccessAt)}` : "No deliveries yet"}
    </span>
  );
}

/** On a disabled webhook's edit page: why it was disabled, and the way to turn it back on. */
export function DisabledBanner({ webhookId, health }: { webhookId: string; health: WebhookHealth }) {
  const router = useRouter();
  const { pending, call } = useApiCall((error) => notify("error", error.message));
  if (!health.disabledAt) return null;
  const reenable = () =>
    call(async () => {
      await api.webhooks.reenable.mutate({ id: webhookId });
      notify("success", "Webhook re-enabled: new events are delivered again");
      router.refresh();
    });
  return (
    <div role="alert" className="mb-4 rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-medium">
        Deliveries to this webhook were stopped on {formatTime(health.disabledAt)}.
      </p>
      {health.disabledReason && <p className="mt-1">Why: {health.disabledReason}</p>}
      <p className="mt-1">Events published since are not sent. Fix the endpoint, then re-enable it.</p>
      <Button className="mt-3" variant="outline" onClick={reenable} disabled={pending}>
        {pending ? "Re-enabling…" : "Re-enable"}
      </Button>
    </div>
  );
}
