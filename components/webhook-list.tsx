"use client";
import Link from "next/link";
import { useState } from "react";
import type { WebhookListFilters } from "@/server/webhooks/webhook.schemas";
import type { WebhookSummary } from "@/server/webhooks/webhook.service";
import {
  WEBHOOK_EVENTS,
  WEBHOOK_HEALTH_STATES,
  WEBHOOK_PAGE_SIZE,
  type WebhookEventName,
  type WebhookHealthState,
} from "@/server/webhooks/webhook-rules";
import { AttemptsSparkline } from "./attempts-sparkline";
import { FilterSelect } from "./filter-select";
import { LoadMore } from "./load-more";
import { LostFacilitiesWarning } from "./lost-facilities-warning";
import { QueryStatus } from "./query-status";
import { trpc } from "./trpc";
import { Button } from "./ui/button";
import { DataTable } from "./ui/data-table";
import { useHydrated } from "./use-hydrated";
import { HealthSummary } from "./webhook-health";

type Page = { items: WebhookSummary[]; nextCursor: string | null };
type Filters = Omit<WebhookListFilters, "cursor">;

/** The list page's address for these filters (and page): what its form and links submit. */
function listHref({ facilityId, event, health }: Filters, after?: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ facility: facilityId, event, health, after })) {
    if (value) params.set(name, value);
  }
  return params.size ? `/webhooks?${params}` : "/webhooks";
}

/**
 * The admin's webhooks, a page at a time, filtered by facility, event and health. The server renders
 * the page its address names; with scripts on, filters apply as they change and "Load more" appends,
 * and without them the filters are a GET form and "Load more" a link to the next page.
 */
export function WebhookList({
  page,
  filters: rendered,
  facilities,
}: {
  page: Page;
  filters: WebhookListFilters;
  facilities: { id: string; name: string }[];
}) {
  const hydrated = useHydrated();
  const [facilityId, setFacilityId] = useState(rendered.facilityId ?? "");
  const [event, setEvent] = useState<WebhookEventName | "">(rendered.event ?? "");
  const [health, setHealth] = useState<WebhookHealthState | "">(rendered.health ?? "");
  const filters: Filters = {
    facilityId: facilityId || undefined,
    event: event || undefined,
    health: health || undefined,
  };
  const asRendered =
    filters.facilityId === rendered.facilityId &&
    filters.event === rendered.event &&
    filters.health === rendered.health;
  const query = trpc.webhooks.list.useInfiniteQuery(
    { limit: WEBHOOK_PAGE_SIZE, ...filters },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      // The server rendered the page for its address's filters; other filters are fetched.
      ...(asRendered && {
        initialCursor: rendered.cursor,
        initialData: { pages: [page], pageParams: [rendered.cursor] },
      }),
    },
  );
  const webhooks = query.data?.pages.flatMap((page) => page.items) ?? [];
  const nextCursor = query.data?.pages.at(-1)?.nextCursor;
  const accessible = new Set(facilities.map((f) => f.id));
  const filter =
    <T,>(set: (value: T) => void, name: keyof Filters) =>
    (value: string) => {
      set(value as T);
      // The address keeps the filters, so a reload or a shared link shows the same list.
      window.history.replaceState(null, "", listHref({ ...filters, [name]: value || undefined }));
    };

  return (
    <>
      <form
        method="get"
        action="/webhooks"
        className="mb-4 flex flex-wrap items-end gap-4"
        onSubmit={(e) => e.preventDefault()}
      >
        <FilterSelect
          id="filter-facility"
          name="facility"
          label="Facility"
          value={facilityId}
          onChange={filter(setFacilityId, "facilityId")}
          anyLabel="All facilities"
          options={facilities.map((f) => ({ value: f.id, label: `${f.id} ${f.name}` }))}
        />
        <FilterSelect
          id="filter-event"
          name="event"
          label="Event"
          value={event}
          onChange={filter(setEvent, "event")}
          anyLabel="All events"
          options={WEBHOOK_EVENTS}
        />
        <FilterSelect
          id="filter-health"
          name="health"
          label="Health"
          value={health}
          onChange={filter(setHealth, "health")}
          anyLabel="Any health"
          options={WEBHOOK_HEALTH_STATES.map((state) => ({ value: state, label: HEALTH_LABELS[state] }))}
        />
        {/* Scripts apply a filter as it changes; without them the form is submitted. */}
        {!hydrated && (
          <Button type="submit" variant="outline">
            Apply filters
          </Button>
        )}
      </form>

      {asRendered && rendered.cursor && (
        <p className="mb-2 text-sm">
          <a href={listHref(filters)} className="underline">
            Back to the first page
          </a>
        </p>
      )}

      <QueryStatus
        query={query}
        what="webhooks"
        isEmpty={webhooks.length === 0}
        empty={
          filters.facilityId || filters.event || filters.health
            ? "No webhooks match these filters."
            : "No webhooks yet. Create one to start receiving shift events."
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
                <AttemptsSparkline hours={webhook.last24h} />
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

      <LoadMore query={query} href={nextCursor ? listHref(filters, nextCursor) : undefined} />
    </>
  );
}

const HEALTH_LABELS: Record<WebhookHealthState, string> = {
  healthy: "Healthy",
  failing: "Failing",
  disabled: "Disabled",
};
