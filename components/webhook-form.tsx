"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Controller, type FieldError, type Resolver, useForm } from "react-hook-form";
import { deliveryBody, EVENT_CATALOGUE, EVENT_DESCRIPTIONS } from "@/server/webhooks/event-catalogue";
import type { Webhook } from "@/server/webhooks/webhook.service";
import {
  brokenRules,
  differingFields,
  WEBHOOK_EVENTS,
  WEBHOOK_FIELDS,
} from "@/server/webhooks/webhook-rules";
import { generateSecret } from "@/server/webhooks/webhook-secret";
import { api, useApiCall, webhooksChanged } from "./api";
import { CheckboxGroup } from "./checkbox-group";
import { LostFacilitiesWarning } from "./lost-facilities-warning";
import { notify } from "./notify";
import { SecretsField } from "./secrets-field";
import { ConfirmDialog } from "./ui/alert-dialog";
import { Button } from "./ui/button";
import { Input } from "./ui/input";
import { Label } from "./ui/label";
import { UrlTrialButton } from "./url-trial";
import { useHydrated } from "./use-hydrated";

type FormValues = { url: string; events: string[]; facilities: string[]; secrets: string[] };
type Options = { facilities: { id: string; name: string }[]; clients: { id: string; name: string }[] };

const FIELD_LABELS: Record<keyof FormValues, string> = {
  url: "URL",
  events: "Events",
  facilities: "Facilities",
  secrets: "Secrets",
};

const valuesOf = (webhook: Webhook): FormValues => ({
  url: webhook.url,
  events: webhook.events,
  facilities: webhook.facilities,
  secrets: webhook.secrets,
});

/** Only what the admin changed, so saving an events change never rewrites secrets set meanwhile. */
const changesFrom = (base: Webhook, values: FormValues): Partial<FormValues> =>
  Object.fromEntries(differingFields(valuesOf(base), values).map((field) => [field, values[field]]));

const EVENT_OPTIONS = WEBHOOK_EVENTS.map((event) => ({
  value: event,
  label: event,
  description: EVENT_DESCRIPTIONS[event],
  example: event === "all" ? undefined : deliveryBody(event, EVENT_CATALOGUE[event].example, 2),
}));

/**
 * Each field checked with its rules from webhook-rules.ts, the ones the API parses with, showing the
 * first it breaks (the API lists them all).
 */
const checkRules: Resolver<FormValues> = async (values) => {
  const errors = Object.fromEntries(
    WEBHOOK_FIELDS.flatMap((field) => {
      const [message] = brokenRules(field, values[field]);
      return message ? [[field, { type: "rule", message }]] : [];
    }),
  );
  return Object.keys(errors).length > 0 ? { values: {}, errors } : { values, errors: {} };
};

/** Creates a webhook (no `webhook`) or edits one; checks each field with the rules the API parses with. */
export function WebhookForm({ options, webhook }: { options: Options; webhook?: Webhook }) {
  const router = useRouter();
  const formId = useId();
  const [clientId, setClientId] = useState(webhook?.clientId ?? options.clients[0]?.id ?? "");
  const [status, setStatus] = useState("");
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  // The stored webhook this form edits: its version goes with every save, its values tell what changed.
  const [base, setBase] = useState(webhook);
  // Until scripts run, Save stays disabled: neither a click nor Enter submits the form natively.
  const hydrated = useHydrated();
  // Set when a save met a change made meanwhile: the webhook as it is now.
  const [conflict, setConflict] = useState<Webhook | null>(null);
  const initialValues = webhook
    ? valuesOf(webhook)
    : { url: "https://", events: [], facilities: [], secrets: [generateSecret()] };

  const form = useForm<FormValues>({
    resolver: checkRules,
    // The URL is rendered into the page's HTML (defaultValue below) and left out here, so the form
    // takes it from the input when scripts start: what the admin typed before then is kept.
    defaultValues: { ...initialValues, url: undefined },
  });
  const { errors } = form.formState;
  // One call to the API at a time; a refusal shows on the form.
  const { pending, call } = useApiCall((error) => {
    setStatus("");
    if (error.data?.code === "PRECONDITION_FAILED" && base) {
      setServerErrors([]);
      void api.webhooks.byId.query({ id: base.id }).then(setConflict, () => setConflict(null));
      return;
    }
    setServerErrors(error.data?.messages?.length ? error.data.messages : [error.message]);
  });
  const onSaved = (message: string) => {
    setServerErrors([]);
    setStatus(message);
    notify("success", message);
    webhooksChanged();
  };

  // The admin's changes to what they opened, saved onto `version` (the current one, to overwrite).
  const save = (edited: Webhook, version: number, values: FormValues) =>
    call(async () => {
      const saved = await api.webhooks.update.mutate({
        id: edited.id,
        version,
        ...changesFrom(edited, values),
      });
      setBase(saved);
      setConflict(null);
      form.reset(valuesOf(saved));
      onSaved("Webhook saved");
    });
  const create = (values: FormValues) =>
    call(async () => {
      const saved = await api.webhooks.create.mutate({ clientId, ...values });
      onSaved("Webhook created");
      router.push(`/webhooks/${saved.id}`);
    });
  const remove = (id: string, version: number) =>
    call(async () => {
      await api.webhooks.delete.mutate({ id, version });
      notify("success", "Webhook deleted");
      webhooksChanged();
      router.push("/webhooks");
    });

  const submit = form.handleSubmit((values) => {
    setStatus("");
    if (base) void save(base, base.version, values);
    else void create(values);
  });

  // A facility the admin lost access to still shows (so it can be unchecked), marked as such.
  const accessible = new Set(options.facilities.map((f) => f.id));
  const lostFacilities = (webhook?.facilities ?? []).filter((id) => !accessible.has(id));
  const facilityOptions = [
    ...options.facilities.map((f) => ({ value: f.id, label: `${f.id} ${f.name}` })),
    ...lostFacilities.map((id) => ({ value: id, label: `${id} (you no longer have access)` })),
  ];

  const errorId = (name: keyof FormValues) => `${formId}-${name}-error`;
  const fieldError = (name: keyof FormValues) => {
    const error = errors[name] as FieldError | undefined;
    return error?.message ? (
      <p id={errorId(name)} className="mt-1 text-sm text-red-600">
        {error.message}
      </p>
    ) : null;
  };
  const describedBy = (name: keyof FormValues) => (errors[name] ? errorId(name) : undefined);

  return (
    <form onSubmit={submit} noValidate className="space-y-8 rounded-lg border border-slate-200 bg-white p-6">
      {!webhook && options.clients.length > 1 && (
        <div className="space-y-1.5">
          <Label htmlFor={`${formId}-client`}>API client</Label>
          <select
            id={`${formId}-client`}
            value={clientId}
            onChange={(e) => setClientId(e.target.value)}
            className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm"
          >
            {options.clients.map((client) => (
              <option key={client.id} value={client.id}>
                {client.name}
              </option>
            ))}
          </select>
        </div>
      )}

      <div className="space-y-1.5">
        <Label htmlFor={`${formId}-url`}>URL</Label>
        <Input
          id={`${formId}-url`}
          type="url"
          inputMode="url"
          autoComplete="off"
          aria-invalid={errors.url ? true : undefined}
          aria-describedby={describedBy("url")}
          defaultValue={initialValues.url}
          {...form.register("url")}
        />
        {fieldError("url")}
        <UrlTrialButton read={() => ({ url: form.getValues("url"), secrets: form.getValues("secrets") })} />
      </div>

      <Controller
        control={form.control}
        name="events"
        render={({ field }) => (
          <fieldset aria-describedby={describedBy("events")}>
            <legend className="text-sm font-medium">Events</legend>
            <CheckboxGroup
              idPrefix={`${formId}-event`}
              options={EVENT_OPTIONS}
              value={field.value}
              onChange={field.onChange}
              labelClassName="font-mono text-xs"
            />
            {fieldError("events")}
          </fieldset>
        )}
      />

      <Controller
        control={form.control}
        name="facilities"
        render={({ field }) => (
          <fieldset aria-describedby={describedBy("facilities")}>
            <legend className="text-sm font-medium">Facilities</legend>
            {lostFacilities.length > 0 && <LostFacilitiesWarning facilityIds={lostFacilities} />}
            <p className="mt-1 text-xs text-slate-500">
              Leave all unchecked to receive events from every facility you can access.
            </p>
            <CheckboxGroup
              idPrefix={`${formId}-facility`}
              options={facilityOptions}
              value={field.value}
              onChange={field.onChange}
            />
            {fieldError("facilities")}
          </fieldset>
        )}
      />

      <Controller
        control={form.control}
        name="secrets"
        render={({ field }) => (
          <fieldset>
            <legend className="mb-3 text-sm font-medium">Secrets</legend>
            <SecretsField value={field.value} onChange={field.onChange} errorId={describedBy("secrets")} />
            {fieldError("secrets")}
          </fieldset>
        )}
      />

      {conflict && base && (
        <ConflictNotice
          base={base}
          current={conflict}
          pending={pending}
          onReload={() => {
            setBase(conflict);
            setConflict(null);
            form.reset(valuesOf(conflict));
          }}
          onOverwrite={() => void save(base, conflict.version, form.getValues())}
        />
      )}

      {serverErrors.length > 0 && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-700">
          <ul className="list-inside list-disc">
            {serverErrors.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="flex items-center justify-between border-t border-slate-200 pt-6">
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={pending || !hydrated}>
            {webhook ? "Save" : "Create webhook"}
          </Button>
          <noscript>
            <span className="text-sm text-slate-600">Saving needs JavaScript.</span>
          </noscript>
          <p role="status" className="text-sm text-green-700">
            {status}
          </p>
        </div>
        {webhook && (
          <ConfirmDialog
            trigger={(open) => (
              <Button onClick={open} variant="destructive" disabled={pending}>
                Delete
              </Button>
            )}
            title="Delete this webhook?"
            description={`Events will stop being sent to ${webhook.url}. This cannot be undone.`}
            confirmLabel="Delete webhook"
            onConfirm={() => void remove(webhook.id, (base ?? webhook).version)}
          />
        )}
      </div>
    </form>
  );
}

const describeValue = (field: keyof FormValues, value: FormValues[keyof FormValues]) =>
  field === "secrets" && Array.isArray(value)
    ? value.map((secret) => `••••${secret.slice(-4)}`).join(", ")
    : Array.isArray(value)
      ? value.join(", ") || "(none)"
      : value;

/**
 * Someone saved this webhook since the admin opened it: what changed, field by field, and the
 * choice — take theirs (Reload, the admin's edits are dropped) or save the admin's changes on top
 * (Overwrite). The admin's input stays in the form until they choose.
 */
function ConflictNotice({
  base,
  current,
  pending,
  onReload,
  onOverwrite,
}: {
  base: Webhook;
  current: Webhook;
  pending: boolean;
  onReload: () => void;
  onOverwrite: () => void;
}) {
  const changed = differingFields(valuesOf(base), valuesOf(current));
  return (
    <div role="alert" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
      <p className="font-medium">This webhook was changed by someone else since you opened it.</p>
      <table className="w-full text-left">
        <thead>
          <tr>
            <th className="pr-3 font-medium">Field</th>
            <th className="pr-3 font-medium">When you opened it</th>
            <th className="font-medium">Now</th>
          </tr>
        </thead>
        <tbody>
          {changed.map((field) => (
            <tr key={field} className="align-top">
              <td className="pr-3">{FIELD_LABELS[field]}</td>
              <td className="break-all pr-3 font-mono text-xs">
                {describeValue(field, valuesOf(base)[field])}
              </td>
              <td className="break-all font-mono text-xs">
                {describeValue(field, valuesOf(current)[field])}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex gap-2">
        <Button variant="outline" onClick={onReload} disabled={pending}>
          Reload
        </Button>
        <Button onClick={onOverwrite} disabled={pending}>
          Overwrite
        </Button>
      </div>
    </div>
  );
}
