"use client";
import { clsx } from "clsx";
import dynamic from "next/dynamic";
import { type ComponentType, type KeyboardEvent, type ReactNode, useId, useRef, useState } from "react";

// The Deliveries and History tabs load their code, and the query cache they read through, when
// first opened: the edit page's first load carries only the form.
const lazyTab = <P extends object>(what: string, load: () => Promise<ComponentType<P>>) =>
  dynamic(() => Promise.all([import("./trpc"), load()]).then(([{ withTRPC }, tab]) => withTRPC(tab)), {
    loading: () => <p className="text-sm text-slate-600">Loading {what}…</p>,
  });
const WebhookDeliveries = lazyTab("deliveries", () =>
  import("./webhook-deliveries").then((tab) => tab.WebhookDeliveries),
);
const WebhookHistory = lazyTab("history", () =>
  import("./webhook-history").then((tab) => tab.WebhookHistory),
);

const TABS = [
  { value: "settings", label: "Settings" },
  { value: "deliveries", label: "Deliveries" },
  { value: "history", label: "History" },
] as const;
type Tab = (typeof TABS)[number]["value"];

/** Arrow keys move between tabs (wrapping), Home and End go to the first and last. */
const KEY_STEPS: Record<string, (index: number) => number> = {
  ArrowRight: (index) => (index + 1) % TABS.length,
  ArrowLeft: (index) => (index - 1 + TABS.length) % TABS.length,
  Home: () => 0,
  End: () => TABS.length - 1,
};

/**
 * The edit page's tabs: the webhook's settings, its deliveries and its change history. The WAI-ARIA
 * tabs pattern (one tab in the Tab order, selection follows focus), written out because it is a few
 * lines and a library for it would double the page's own script.
 */
export function WebhookTabs({
  settings,
  webhookId,
  facilities,
}: {
  settings: ReactNode;
  webhookId: string;
  facilities: string[];
}) {
  const [selected, setSelected] = useState<Tab>("settings");
  const id = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const step = KEY_STEPS[event.key];
    if (!step) return;
    event.preventDefault();
    const next = step(index);
    setSelected(TABS[next]?.value ?? "settings");
    tabs.current[next]?.focus();
  };
  return (
    <div>
      <div role="tablist" aria-label="Webhook" className="mb-4 flex gap-2 border-b border-slate-200">
        {TABS.map((tab, index) => (
          <button
            key={tab.value}
            ref={(element) => {
              tabs.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-${tab.value}-tab`}
            aria-selected={selected === tab.value}
            // Only the selected tab's panel is on the page.
            aria-controls={selected === tab.value ? `${id}-${tab.value}-panel` : undefined}
            tabIndex={selected === tab.value ? 0 : -1}
            onClick={() => setSelected(tab.value)}
            onKeyDown={(event) => onKeyDown(event, index)}
            className={clsx(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium",
              selected === tab.value
                ? "border-slate-900 text-slate-900"
                : "border-transparent text-slate-600",
            )}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${id}-${selected}-panel`}
        aria-labelledby={`${id}-${selected}-tab`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the pattern puts the panel in the Tab order
        tabIndex={0}
      >
        {selected === "settings" && settings}
        {selected === "deliveries" && <WebhookDeliveries webhookId={webhookId} facilities={facilities} />}
        {selected === "history" && <WebhookHistory webhookId={webhookId} />}
      </div>
    </div>
  );
}
