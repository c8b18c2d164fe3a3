"use client";
import { Dialog } from "radix-ui";
import { useId, useState } from "react";
import type { listClients } from "@/server/accounts/clients.service";
import { CopyButton } from "./copy-button";
import { formatTime } from "./format-time";
import { notify } from "./notify";
import { trpc } from "./trpc";
import { ConfirmDialog } from "./ui/alert-dialog";
import { Button } from "./ui/button";
import { DataTable } from "./ui/data-table";
import { Input } from "./ui/input";
import { Label } from "./ui/label";

type Client = Awaited<ReturnType<typeof listClients>>[number];
type Issued = { clientName: string; token: string; note: string };
type ClientActionProps = { client: Client; onIssued: (issued: Issued) => void; onChanged: () => void };

const GRACE_CHOICES = [
  { hours: 0, label: "Stops at once" },
  { hours: 1, label: "Keeps working for 1 hour" },
  { hours: 24, label: "Keeps working for 24 hours" },
];

const errorMessage = (error: { message: string; data?: { messages?: string[] | null } | null }) =>
  error.data?.messages?.join("; ") || error.message;

/** The admin's API clients: issue, rename, rotate and revoke their tokens. */
export function ApiClients({ initialClients }: { initialClients: Client[] }) {
  const utils = trpc.useUtils();
  const clients = trpc.clients.list.useQuery(undefined, { initialData: initialClients }).data;
  const [issued, setIssued] = useState<Issued | null>(null);
  const refresh = () => utils.clients.list.invalidate();

  return (
    <div className="space-y-6">
      <CreateClientForm
        onCreated={(name, token) => {
          setIssued({ clientName: name, token, note: "" });
          void refresh();
        }}
      />
      {issued && <IssuedToken issued={issued} onDismiss={() => setIssued(null)} />}
      {clients.length === 0 ? (
        <p className="text-sm text-slate-600">No API clients yet.</p>
      ) : (
        <DataTable columns={["Name", "Created", "Last used", "Webhooks"]}>
          {clients.map((client) => (
            <ClientRow key={client.id} client={client} onIssued={setIssued} onChanged={refresh} />
          ))}
        </DataTable>
      )}
    </div>
  );
}

function CreateClientForm({ onCreated }: { onCreated: (name: string, token: string) => void }) {
  const id = useId();
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const create = trpc.clients.create.useMutation({
    onSuccess: ({ token }) => {
      onCreated(name.trim(), token);
      setName("");
      setError("");
    },
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <form
      className="flex items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name });
      }}
    >
      <div className="flex-1 space-y-1.5">
        <Label htmlFor={`${id}-name`}>New client name</Label>
        <Input
          id={`${id}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error && (
          <p id={`${id}-error`} className="text-sm text-red-600">
            {error}
          </p>
        )}
      </div>
      <Button type="submit" disabled={create.isPending}>
        Create client
      </Button>
    </form>
  );
}

function IssuedToken({ issued, onDismiss }: { issued: Issued; onDismiss: () => void }) {
  const id = useId();
  return (
    <div role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm">
      <p className="font-medium">
        Token for {issued.clientName}. Copy it now: it is shown only once. {issued.note}
      </p>
      <div className="mt-2 flex items-center gap-2">
        <label htmlFor={`${id}-token`} className="sr-only">
          API token
        </label>
        <input
          id={`${id}-token`}
          readOnly
          value={issued.token}
          className="flex-1 rounded border border-emerald-300 bg-white px-2 py-1 font-mono text-xs"
          onFocus={(e) => e.target.select()}
        />
        <CopyButton value={issued.token} label="Copy token" />
        <Button variant="ghost" size="sm" onClick={onDismiss}>
          Done
        </Button>
      </div>
    </div>
  );
}

function ClientRow({ client, onIssued, onChanged }: ClientActionProps) {
  const [renaming, setRenaming] = useState(false);
  const revoke = trpc.clients.revoke.useMutation({
    onSuccess: () => {
      notify("success", `Revoked ${client.name}`);
      onChanged();
    },
    onError: (e) => notify("error", errorMessage(e)),
  });
  const revoked = client.revokedAt !== null;
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-4 py-3">
        {renaming ? (
          <RenameForm client={client} onDone={() => setRenaming(false)} onChanged={onChanged} />
        ) : (
          <span className="font-medium">{client.name}</span>
        )}
        {revoked && (
          <span className="ml-2 rounded bg-slate-200 px-1.5 text-xs">
            Revoked {formatTime(client.revokedAt)}
          </span>
        )}
        {client.previousTokenValidUntil && (
          <p className="text-xs text-amber-800">
            Previous token works until {formatTime(client.previousTokenValidUntil)}
          </p>
        )}
      </td>
      <td className="px-4 py-3">{formatTime(client.createdAt)}</td>
      <td className="px-4 py-3">{client.lastUsedAt ? formatTime(client.lastUsedAt) : "Never"}</td>
      <td className="px-4 py-3">{client.webhookCount}</td>
      <td className="px-4 py-3">
        {!revoked && (
          <div className="flex justify-end gap-2">
            <Button
              variant="ghost"
              size="sm"
              onClick={() => setRenaming(true)}
              aria-label={`Rename ${client.name}`}
            >
              Rename
            </Button>
            <RotateDialog client={client} onIssued={onIssued} onChanged={onChanged} />
            <ConfirmDialog
              trigger={(open) => (
                <Button
                  onClick={open}
                  variant="ghost"
                  size="sm"
                  aria-label={`Revoke ${client.name}`}
                  disabled={revoke.isPending}
                >
                  Revoke
                </Button>
              )}
              title={`Revoke ${client.name}?`}
              description="Its tokens stop working at once and its webhooks receive no more events. This cannot be undone."
              confirmLabel="Revoke client"
              onConfirm={() => revoke.mutate({ clientId: client.id })}
            />
          </div>
        )}
      </td>
    </tr>
  );
}

function RenameForm({
  client,
  onDone,
  onChanged,
}: {
  client: Client;
  onDone: () => void;
  onChanged: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(client.name);
  const rename = trpc.clients.rename.useMutation({
    onSuccess: () => {
      onChanged();
      onDone();
    },
    onError: (e) => notify("error", errorMessage(e)),
  });
  return (
    <form
      className="flex items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        rename.mutate({ clientId: client.id, name });
      }}
    >
      <label htmlFor={`${id}-name`} className="sr-only">
        Name of {client.name}
      </label>
      <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      <Button type="submit" size="sm" disabled={rename.isPending}>
        Save
      </Button>
      <Button variant="ghost" size="sm" onClick={onDone}>
        Cancel
      </Button>
    </form>
  );
}

function RotateDialog({ client, onIssued, onChanged }: ClientActionProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [graceHours, setGraceHours] = useState(0);
  const rotate = trpc.clients.rotate.useMutation({
    onSuccess: ({ token, previousTokenValidUntil }) => {
      setOpen(false);
      onIssued({
        clientName: client.name,
        token,
        note: previousTokenValidUntil
          ? `The previous token works until ${formatTime(previousTokenValidUntil)}.`
          : "The previous token no longer works.",
      });
      onChanged();
    },
    onError: (e) => notify("error", errorMessage(e)),
  });
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Rotate token of ${client.name}`}>
          Rotate token
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content className="fixed left-1/2 top-1/2 w-full max-w-md -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 shadow-lg">
          <Dialog.Title className="text-lg font-semibold">Rotate the token of {client.name}</Dialog.Title>
          <Dialog.Description className="mt-2 text-sm text-slate-600">
            A new token is issued and shown once. Give the integrator time to deploy it, or stop the old one
            now.
          </Dialog.Description>
          <div className="mt-4 space-y-1.5">
            <Label htmlFor={`${id}-grace`}>The old token</Label>
            <select
              id={`${id}-grace`}
              value={graceHours}
              onChange={(e) => setGraceHours(Number(e.target.value))}
              className="h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm"
            >
              {GRACE_CHOICES.map((choice) => (
                <option key={choice.hours} value={choice.hours}>
                  {choice.label}
                </option>
              ))}
            </select>
          </div>
          <div className="mt-6 flex justify-end gap-2">
            <Dialog.Close asChild>
              <Button variant="outline">Cancel</Button>
            </Dialog.Close>
            <Button
              disabled={rotate.isPending}
              onClick={() => rotate.mutate({ clientId: client.id, graceHours })}
            >
              Rotate token
            </Button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
