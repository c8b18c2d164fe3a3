"use client";
import dynamic from "next/dynamic";
import { Tabs } from "radix-ui";
import type { ReactNode } from "react";

const triggerClass =
  "border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 data-[state=active]:border-slate-900 data-[state=active]:text-slate-900";

// The Deliveries and History tabs load their code when first opened: the edit page's first load
// carries only the form.
const loading = (what: string) => () => <p className="text-sm text-slate-600">Loading {what}…</p>;
const WebhookDeliveries = dynamic(() => import("./webhook-deliveries").then((m) => m.WebhookDeliveries), {
  loading: loading("deliveries"),
});
const WebhookHistory = dynamic(() => import("./webhook-history").then((m) => m.WebhookHistory), {
  loading: loading("history"),
});

/** The edit page's tabs: the webhook's settings, its deliveries and its change history. */
export function WebhookTabs({
  settings,
  webhookId,
  facilities,
}: {
  settings: ReactNode;
  webhookId: string;
  facilities: string[];
}) {
  return (
    <Tabs.Root defaultValue="settings">
      <Tabs.List className="mb-4 flex gap-2 border-b border-slate-200" aria-label="Webhook">
        <Tabs.Trigger value="settings" className={triggerClass}>
          Settings
        </Tabs.Trigger>
        <Tabs.Trigger value="deliveries" className={triggerClass}>
          Deliveries
        </Tabs.Trigger>
        <Tabs.Trigger value="history" className={triggerClass}>
          History
        </Tabs.Trigger>
      </Tabs.List>
      <Tabs.Content value="settings">{settings}</Tabs.Content>
      <Tabs.Content value="deliveries">
        <WebhookDeliveries webhookId={webhookId} facilities={facilities} />
      </Tabs.Content>
      <Tabs.Content value="history">
        <WebhookHistory webhookId={webhookId} />
      </Tabs.Content>
    </Tabs.Root>
  );
}
