"use client";
import Link from "next/link";
import { useState } from "react";
import type { WebhookSummary } from "@/server/webhooks/webhook.service";
import { WEBHOOK_EVENTS, WEBHOOK_PAGE_SIZE, type WebhookEventName } from "@/server/webhooks/webhook-rules";
import { FilterSelect } from "./filter-select";
import { LoadMore } from "./load-more";
import { LostFacilitiesWarning } from "./lost-facilities-warning";
import { QueryStatus } from "./query-status";
import { trpc } from "./trpc";
import { DataTable } from "./ui/data-table";
import { HealthSummary } from "./webhook-health";

type FirstPage = { items: WebhookSummary[]; nextCursor: string | null };

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
  const accessible = new Set(facilities.map((f) => f.id));

  return (
    <>
      <div className="mb-4 flex flex-wrap items-end gap-4">
        <FilterSelect
          id="filter-facility"
          label="Facility"
          value={facilityId}
          onChange={setFacilityId}
          anyLabel="All facilities"
          options={facilities.map((f) => ({ value: f.id, label: `${f.id} ${f.name}` }))}
        />
        <FilterSelect
          id="filter-event"
          label="Event"
          value={event}
          onChange={(value) => setEvent(value as WebhookEventName | "")}
          anyLabel="All events"
          options={WEBHOOK_EVENTS}
        />
      </div>

      <QueryStatus
        query={query}
        what="webhooks"
        isEmpty={webhooks.length === 0}
        empty={
          unfiltered
            ? "No webhooks yet. Create one to start receiving shift events."
            : "No webhooks match these filters."
        }
      >
        <DataTable columns={["URL", "Events", "Facilities", "Health"]}>
          {webhooks.map((webhook) => (
            <tr key={webhook.id} className="border-t border-slate-200 align-top">
              <td className="break-all px-4 py-3 font-mono text-xs">{webhook.url}</td>
              <td className="px-4 py-3">{webhook.events.join(", ")}</td>
              <td className="px-4 py-3">
                {webhook.facilities.join(", ") || "—"}
                {webhook.facilities.some((id) => !accessible.has(id)) && (
                  <LostFacilitiesWarning
                    facilityIds={webhook.facilities.filter((id) => !accessible.has(id))}
                  />
                )}
              </td>
              <td className="px-4 py-3">
                <HealthSummary health={webhook.health} />
              </td>
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
        </DataTable>
      </QueryStatus>

      <LoadMore query={query} />
    </>
  );
}
