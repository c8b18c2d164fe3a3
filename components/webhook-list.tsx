"use client";
import Link from "next/link";
import { useState } from "react";
import { WEBHOOK_EVENTS, WEBHOOK_PAGE_SIZE, type WebhookEventName } from "@/server/webhooks/webhook.schemas";
import type { Webhook } from "@/server/webhooks/webhook.service";
import { trpc } from "./trpc";
import { Button } from "./ui/button";
import { Label } from "./ui/label";

type FirstPage = { items: Webhook[]; nextCursor: string | null };

const selectClass = "h-9 rounded-md border border-slate-300 bg-white px-3 text-sm";

/** The admin's webhooks, a page at a time, filtered by facility and by event. */
export function WebhookList({
  firstPage,
  facilities,
}: {
  firstPage: FirstPage;
  facilities: { id: string; name: string }[];
}) {
  const [facilityId, setFacilityId] = useState("");
  const [event, setEvent] = useState<WebhookEventName | "">("");
  const unfiltered = !facilityId && !event;
  const query = trpc.webhooks.list.useInfiniteQuery(
    { limit: WEBHOOK_PAGE_SIZE, facilityId: facilityId || undefined, event: event || undefined },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      // The server rendered the unfiltered first page; other filters are fetched.
      initialData: unfiltered ? { pages: [firstPage], pageParams: [undefined] } : undefined,
    },
  );
  const webhooks = query.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <div className="grid gap-1.5">
          <Label htmlFor="filter-facility">Facility</Label>
          <select
            id="filter-facility"
            className={selectClass}
            value={facilityId}
            onChange={(e) => setFacilityId(e.target.value)}
          >
            <option value="">All facilities</option>
            {facilities.map((f) => (
              <option key={f.id} value={f.id}>
                {f.id} {f.name}
              </option>
            ))}
          </select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="filter-event">Event</Label>
          <select
            id="filter-event"
            className={selectClass}
            value={event}
            onChange={(e) => setEvent(e.target.value as WebhookEventName | "")}
          >
            <option value="">All events</option>
            {WEBHOOK_EVENTS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </div>

      {query.isPending ? (
        <p className="text-slate-600">Loading…</p>
      ) : query.isError ? (
        <p role="alert" className="text-red-600">
          Could not load webhooks: {query.error.message}
        </p>
      ) : webhooks.length === 0 ? (
        <p className="text-slate-600">
          {unfiltered
            ? "No webhooks yet. Create one to start receiving shift events."
            : "No webhooks match these filters."}
        </p>
      ) : (
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
      )}

      {query.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button variant="outline" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </>
  );
}
