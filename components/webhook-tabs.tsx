"use client";
import { Tabs } from "radix-ui";
import type { ReactNode } from "react";

const triggerClass =
  "border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 data-[state=active]:border-slate-900 data-[state=active]:text-slate-900";

/** The edit page's two tabs: the webhook's settings and its deliveries. */
export function WebhookTabs({ settings, deliveries }: { settings: ReactNode; deliveries: ReactNode }) {
  return (
    <Tabs.Root defaultValue="settings">
      <Tabs.List className="mb-4 flex gap-2 border-b border-slate-200" aria-label="Webhook">
        <Tabs.Trigger value="settings" className={triggerClass}>
          Settings
        </Tabs.Trigger>
        <Tabs.Trigger value="deliveries" className={triggerClass}>
          Deliveries
        </Tabs.Trigger>
      </Tabs.List>
      <Tabs.Content value="settings">{settings}</Tabs.Content>
      <Tabs.Content value="deliveries">{deliveries}</Tabs.Content>
    </Tabs.Root>
  );
}
