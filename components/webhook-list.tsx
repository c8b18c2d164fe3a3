"use client";
import Link from "next/link";
import type { Webhook } from "@/server/webhooks/webhook.service";
import { trpc } from "./trpc";

export function WebhookList({ initialWebhooks }: { initialWebhooks: Webhook[] }) {
  const { data: webhooks = initialWebhooks } = trpc.webhooks.list.useQuery(undefined, {
    initialData: initialWebhooks,
  });
  if (webhooks.length === 0) {
    return <p className="text-slate-600">No webhooks yet. Create one to start receiving shift events.</p>;
  }
  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-left text-sm">
      <thead className="bg-slate-100 text-slate-600">
        <tr>
          <th className="px-4 py-2 font-medium">URL</th>
          <th className="px-4 py-2 font-medium">Events</th>
          <th className="px-4 py-2 font-medium">Facilities</th>
          <th className="px-4 py-2">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {webhooks.map((webhook) => (
          <tr key={webhook.id} className="border-t border-slate-200 align-top">
            <td className="break-all px-4 py-3 font-mono text-xs">{webhook.url}</td>
            <td className="px-4 py-3">{webhook.events.join(", ")}</td>
            <td className="px-4 py-3">{webhook.facilities.join(", ") || "—"}</td>
            <td className="px-4 py-3 text-right">
              <Link
                href={`/webhooks/${webhook.id}`}
                className="font-medium text-slate-900 underline"
                aria-label={`Edit ${webhook.url}`}
              >
                Edit
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
