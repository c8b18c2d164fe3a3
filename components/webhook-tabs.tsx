"use client";
import { Tabs } from "radix-ui";
import type { ReactNode } from "react";

const triggerClass =
  "border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 data-[state=active]:border-slate-900 data-[state=active]:text-slate-900";

/** The edit page's tabs: the webhook's settings, its deliveries and its change history. */
export function WebhookTabs({
  settings,
  deliveries,
  history,
}: {
  settings: ReactNode;
  deliveries: ReactNode;
  history: ReactNode;
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
      <Tabs.Content value="deliveries">{deliveries}</Tabs.Content>
      <Tabs.Content value="history">{history}</Tabs.Content>
    </Tabs.Root>
  );
}
