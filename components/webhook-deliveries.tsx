"use client";
import { ChevronRight } from "lucide-react";
import { Collapsible } from "radix-ui";
import { type FormEvent, useState } from "react";
import type { z } from "zod";
import type { WebhookDelivery } from "@/server/deliveries/deliveries.service";
import { webhookDeliveriesInput } from "@/server/deliveries/delivery.schemas";
import {
  PUBLISHABLE_EVENTS,
  type PublishableEvent,
  WEBHOOK_EVENTS,
  type WebhookEventName,
} from "@/server/webhooks/webhook-rules";
import { DeliveryReplay } from "./delivery-replay";
import { FilterInput, FilterSelect } from "./filter-select";
import { LoadMore } from "./load-more";
import { notify } from "./notify";
import { QueryStatus } from "./query-status";
import { SignatureDebugger } from "./signature-debugger";
import { trpc } from "./trpc";
import { Button } from "./ui/button";
import { Input } from "./ui/input";
import { Label } from "./ui/label";

type Status = WebhookDelivery["status"];
const STATUS_STYLE: Record<string, string> = {
  success: "bg-green-100 text-green-800",
  failure: "bg-red-100 text-red-800",
  pending: "bg-amber-100 text-amber-800",
};

const PAGE_SIZE = 50;

/** The Deliveries tab: a webhook's deliveries, newest first and paged, live while any is pending. */
export function WebhookDeliveries({ webhookId, facilities }: { webhookId: string; facilities: string[] }) {
  const [eventType, setEventType] = useState<WebhookEventName | "">("");
  const [facilityId, setFacilityId] = useState("");
  const [status, setStatus] = useState<Status | "">("");
  const [since, setSince] = useState("");
  const [search, setSearch] = useState<DeliverySearchFields>({});
  const utils = trpc.useUtils();
  const query = trpc.deliveries.list.useInfiniteQuery(
    {
      webhookId,
      eventType: eventType || undefined,
      facilityId: facilityId || undefined,
      status: (status || undefined) as "pending" | "success" | "failure" | undefined,
      since: since || undefined,
      ...search,
      limit: PAGE_SIZE,
    },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      // Poll while attempts are still to come, so the list follows them without a reload.
      refetchInterval: (q) =>
        q.state.data?.pages.some((page) => page.items.some((d) => d.status === "pending")) ? 2_000 : false,
    },
  );
  const deliveries = query.data?.pages.flatMap((page) => page.items) ?? [];
  const resend = trpc.deliveries.resend.useMutation({
    onSuccess: () => {
      notify("success", "Resend queued");
      void utils.deliveries.list.invalidate();
    },
    onError: (error) => notify("error", error.message),
  });

  return (
    <div className="space-y-4">
      <SendTestEvent webhookId={webhookId} />
      <DeliveryReplay webhookId={webhookId} facilities={facilities} />
      <div className="flex flex-wrap items-end gap-4">
        <FilterSelect
          id="deliveries-event"
          label="Event type"
          value={eventType}
          onChange={(v) => setEventType(v as WebhookEventName | "")}
          anyLabel="All events"
          options={WEBHOOK_EVENTS}
        />
        <FilterSelect
          id="deliveries-facility"
          label="Facility"
          value={facilityId}
          onChange={setFacilityId}
          anyLabel="All facilities"
          options={facilities}
        />
        <FilterSelect
          id="deliveries-status"
          label="Status"
          value={status}
          onChange={(v) => setStatus(v as Status | "")}
          anyLabel="Any status"
          options={["pending", "success", "failure"]}
        />
        <FilterInput id="deliveries-since" label="Since" type="date" value={since} onChange={setSince} />
      </div>
      <DeliverySearch onSearch={setSearch} />

      <QueryStatus
        query={query}
        what="deliveries"
        isEmpty={deliveries.length === 0}
        empty={
          eventType || facilityId || status || since || Object.keys(search).length
            ? "No deliveries match these filters."
            : "No deliveries yet."
        }
      >
        <ul
          className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white"
          aria-label="Deliveries"
        >
          {deliveries.map((delivery) => (
            <DeliveryRow
              key={delivery.id}
              delivery={delivery}
              onResend={() => resend.mutate({ deliveryId: delivery.id })}
              resending={resend.isPending && resend.variables?.deliveryId === delivery.id}
            />
          ))}
        </ul>
        <LoadMore query={query} />
      </QueryStatus>
    </div>
  );
}

type DeliverySearchFields = Pick<
  z.input<typeof webhookDeliveriesInput>,
  "responseStatus" | "minLatencyMs" | "payload"
>;
const deliverySearch = webhookDeliveriesInput.pick({
  responseStatus: true,
  minLatencyMs: true,
  payload: true,
});

/**
 * Searching by what only the attempts and payloads say: the receiver's status, an attempt's latency,
 * a payload field's value. Typed, so applied on Search (not each keystroke), checked by the same
 * schema the server runs.
 */
function DeliverySearch({ onSearch }: { onSearch: (fields: DeliverySearchFields) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    const latency = text("minLatencyMs");
    const fields = {
      responseStatus: text("responseStatus"),
      minLatencyMs: latency === undefined ? undefined : Number(latency),
      payload: text("payload"),
    };
    const parsed = deliverySearch.safeParse(fields);
    setError(parsed.success ? null : parsed.error.issues.map((issue) => issue.message).join("; "));
    if (parsed.success) onSearch(fields);
  };
  return (
    <form onSubmit={submit} aria-label="Search deliveries" className="flex flex-wrap items-end gap-4">
      <FilterText name="responseStatus" label="Receiver's HTTP status" placeholder="5xx, 503 or none" />
      <FilterText
        name="minLatencyMs"
        label="Attempt slower than (ms)"
        placeholder="2000"
        inputMode="numeric"
      />
      <FilterText name="payload" label="Payload field" placeholder="data.shiftId=s-123" wide />
      <Button type="submit" variant="outline">
        Search
      </Button>
      {error && (
        <p role="alert" className="w-full text-sm text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

function FilterText({
  name,
  label,
  placeholder,
  inputMode,
  wide,
}: {
  name: string;
  label: string;
  placeholder: string;
  inputMode?: "numeric";
  wide?: boolean;
}) {
  const id = `deliveries-${name}`;
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        name={name}
        placeholder={placeholder}
        inputMode={inputMode}
        className={wide ? "w-72" : "w-44"}
      />
    </div>
  );
}

function DeliveryRow({
  delivery,
  onResend,
  resending,
}: {
  delivery: WebhookDelivery;
  onResend: () => void;
  resending: boolean;
}) {
  const last = delivery.attempts.at(-1);
  return (
    <Collapsible.Root asChild>
      <li className="px-4 py-3 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <Collapsible.Trigger
            className="group flex items-center gap-1 font-mono text-xs"
            aria-label={`Details of ${delivery.eventType} delivery ${delivery.id}`}
          >
            <ChevronRight className="h-4 w-4 transition-transform group-data-[state=open]:rotate-90" />
            {delivery.eventType}
          </Collapsible.Trigger>
          <span>{delivery.facilityId}</span>
          <span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLE[delivery.status] ?? ""}`}>
            {delivery.status}
          </span>
          <span>
            {delivery.attempts.length} attempt{delivery.attempts.length === 1 ? "" : "s"}
          </span>
          <span>last response: {last?.responseStatus ?? "—"}</span>
          <time className="text-slate-500" dateTime={delivery.createdAt}>
            {new Date(delivery.createdAt).toLocaleString()}
          </time>
          <Button variant="outline" size="sm" className="ml-auto" onClick={onResend} disabled={resending}>
            Resend
          </Button>
        </div>
        <Collapsible.Content className="mt-3 space-y-3">
          <div>
            <p className="text-xs font-medium text-slate-600">Request payload</p>
            <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 text-xs">{delivery.payload}</pre>
          </div>
          {delivery.attempts.map((attempt) => (
            <div key={attempt.attempt} className="rounded border border-slate-200 p-2 text-xs">
              <p>
                Attempt {attempt.attempt} · {attempt.responseStatus ?? "no response"} · {attempt.latencyMs} ms
                · {new Date(attempt.createdAt).toLocaleString()}
              </p>
              <p className="mt-1 break-all font-mono text-slate-600">Nursa-Signature: {attempt.signature}</p>
              <pre className="mt-1 overflow-x-auto whitespace-pre-wrap text-slate-700">
                {attempt.responseBody}
              </pre>
              {attempt.signature && <SignatureDebugger deliveryId={delivery.id} attempt={attempt.attempt} />}
            </div>
          ))}
        </Collapsible.Content>
      </li>
    </Collapsible.Root>
  );
}

/** Sends the event catalogue's example of the chosen event (by default, the first one the webhook gets). */
function SendTestEvent({ webhookId }: { webhookId: string }) {
  const send = trpc.deliveries.sendTest.useMutation();
  const [eventType, setEventType] = useState<PublishableEvent | "">("");
  const result = send.data;
  return (
    <div className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-3">
      <label className="flex items-center gap-2 text-sm">
        Test event
        <select
          value={eventType}
          onChange={(e) => setEventType(e.target.value as PublishableEvent | "")}
          className="h-9 rounded-md border border-slate-300 bg-white px-2 text-sm"
        >
          <option value="">First event it receives</option>
          {PUBLISHABLE_EVENTS.map((event) => (
            <option key={event} value={event}>
              {event}
            </option>
          ))}
        </select>
      </label>
      <Button
        variant="outline"
        onClick={() => send.mutate({ webhookId, eventType: eventType || undefined })}
        disabled={send.isPending}
      >
        {send.isPending ? "Sending…" : "Send test event"}
      </Button>
      <p role="status" className="text-sm">
        {result &&
          `Test event: ${result.status === null ? "no response" : `HTTP ${result.status}`} in ${result.latencyMs} ms${
            result.excerpt ? ` — ${result.excerpt.slice(0, 200)}` : ""
          }`}
        {send.error && `Test event not sent: ${send.error.message}`}
      </p>
    </div>
  );
}
