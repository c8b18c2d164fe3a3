"use client";
import { useEffect, useState } from "react";
import { PUBLISHABLE_EVENTS } from "@/server/webhooks/webhook-rules";
import { FilterInput, FilterSelect } from "./filter-select";
import { formatTime } from "./format-time";
import { notify } from "./notify";
import { trpc } from "./trpc";
import { ConfirmDialog } from "./ui/alert-dialog";
import { Button } from "./ui/button";

/** A datetime-local value (the browser's time zone) as an ISO instant; "" stays unset. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/**
 * "Replay failed deliveries": pick a time range, event and facility, see how many match, confirm,
 * then follow the background replay's progress (and cancel it) here.
 */
export function DeliveryReplay({ webhookId, facilities }: { webhookId: string; facilities: string[] }) {
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [eventType, setEventType] = useState("");
  const [facilityId, setFacilityId] = useState("");
  const utils = trpc.useUtils();
  const filter = {
    webhookId,
    since: instant(since) ?? "",
    until: instant(until),
    eventType: (eventType || undefined) as (typeof PUBLISHABLE_EVENTS)[number] | undefined,
    facilityId: facilityId || undefined,
  };
  const preview = trpc.deliveries.replayPreview.useQuery(filter, { enabled: false, retry: false });
  const start = trpc.deliveries.replayStart.useMutation({
    onSuccess: ({ total }) => {
      notify("success", `Replaying ${total} failed deliveries`);
      void utils.deliveries.replays.invalidate({ webhookId });
      void preview.refetch();
    },
    onError: (error) => notify("error", error.message),
  });
  const count = preview.data?.count;

  return (
    <section aria-labelledby="replay-heading" className="rounded-lg border border-slate-200 bg-white p-3">
      <h2 id="replay-heading" className="text-sm font-semibold">
        Replay failed deliveries
      </h2>
      <div className="mt-2 flex flex-wrap items-end gap-4">
        <FilterInput id="replay-since" label="From" type="datetime-local" value={since} onChange={setSince} />
        <FilterInput
          id="replay-until"
          label="To (empty: now)"
          type="datetime-local"
          value={until}
          onChange={setUntil}
        />
        <FilterSelect
          id="replay-event"
          label="Event"
          value={eventType}
          onChange={setEventType}
          anyLabel="All events"
          options={PUBLISHABLE_EVENTS}
        />
        <FilterSelect
          id="replay-facility"
          label="Facility"
          value={facilityId}
          onChange={setFacilityId}
          anyLabel="All facilities"
          options={facilities}
        />
        <Button
          variant="outline"
          onClick={() => void preview.refetch()}
          disabled={!since || preview.isFetching}
        >
          Count failed deliveries
        </Button>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
        <p role="status">
          {preview.error
            ? preview.error.message
            : count !== undefined &&
              `${count} failed deliver${count === 1 ? "y matches" : "ies match"} (passed over: any already attempted the most times allowed).`}
        </p>
        {!!count && (
          <ConfirmDialog
            trigger={(open) => (
              <Button onClick={open} disabled={start.isPending}>
                Replay {count}…
              </Button>
            )}
            title={`Replay ${count} failed deliveries?`}
            description="Each is sent again as a new attempt with the same delivery id, a few per second, in the background. You can cancel the replay here."
            confirmLabel="Replay"
            onConfirm={() => start.mutate(filter)}
          />
        )}
      </div>
      <ReplayProgress webhookId={webhookId} />
    </section>
  );
}

function ReplayProgress({ webhookId }: { webhookId: string }) {
  const utils = trpc.useUtils();
  const replays = trpc.deliveries.replays.useQuery(
    { webhookId },
    // Follow running replays; a finished one's deliveries show in the list below.
    { refetchInterval: (q) => (q.state.data?.some((r) => r.status === "running") ? 1_000 : false) },
  );
  const cancel = trpc.deliveries.replayCancel.useMutation({
    onSuccess: () => {
      notify("success", "Replay cancelled");
      void utils.deliveries.replays.invalidate({ webhookId });
    },
    onError: (error) => notify("error", error.message),
  });
  // Replayed deliveries are pending again: refresh the list below as the replays advance.
  const progressKey = replays.data?.map((r) => `${r.id}:${r.handled}:${r.status}`).join() ?? "";
  useEffect(() => {
    if (progressKey) void utils.deliveries.list.invalidate({ webhookId });
  }, [progressKey, utils, webhookId]);
  if (!replays.data?.length) return null;
  return (
    <ul className="mt-3 space-y-2" aria-label="Replays">
      {replays.data.map((replay) => (
        <li key={replay.id} className="flex flex-wrap items-center gap-3 text-xs">
          <progress
            className="h-2 w-40"
            max={replay.total}
            value={Math.min(replay.handled, replay.total)}
            aria-label={`Replay of ${replay.total} deliveries`}
          />
          <span>
            {replay.status === "running" ? "Replaying" : replay.status === "done" ? "Replayed" : "Cancelled"}:{" "}
            {Math.min(replay.handled, replay.total)} of {replay.total} · {replay.perSecond}/s · from{" "}
            {formatTime(replay.since)} to {formatTime(replay.until)}
            {replay.eventType ? ` · ${replay.eventType}` : ""} · by {replay.requestedBy}
          </span>
          {replay.status === "running" && (
            <Button
              variant="outline"
              size="sm"
              onClick={() => cancel.mutate({ replayId: replay.id })}
              disabled={cancel.isPending}
            >
              Cancel replay
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}
