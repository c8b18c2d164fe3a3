"use client";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { WebhookHistoryEntry } from "@/server/webhooks/webhook.service";
import { formatTime } from "./format-time";
import { LoadMore } from "./load-more";
import { notify } from "./notify";
import { QueryStatus } from "./query-status";
import { trpc } from "./trpc";
import { ConfirmDialog } from "./ui/alert-dialog";
import { Button } from "./ui/button";
import { Checkbox } from "./ui/checkbox";

const PAGE_SIZE = 20;

const ACTION_LABELS: Record<string, string> = {
  created: "Created",
  updated: "Updated",
  "secrets-rotated": "Secrets rotated",
  restored: "Restored",
  deleted: "Deleted",
  resent: "Delivery resent",
  "test-event": "Test event sent",
};

const show = (value: unknown) =>
  value === null || value === undefined
    ? "—"
    : Array.isArray(value)
      ? value.join(", ") || "(none)"
      : String(value);

/** The History tab: every change of the webhook, newest first, each restorable. */
export function WebhookHistory({ webhookId }: { webhookId: string }) {
  const router = useRouter();
  const utils = trpc.useUtils();
  const query = trpc.webhooks.history.useInfiniteQuery(
    { id: webhookId, limit: PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const entries = query.data?.pages.flatMap((page) => page.items) ?? [];
  const currentVersion = entries[0]?.version;
  const currentSecrets = entries[0]?.secrets ?? null;
  const restore = trpc.webhooks.restore.useMutation({
    onSuccess: (restored) => {
      notify("success", `Restored: the webhook is now version ${restored.version}`);
      void utils.webhooks.history.invalidate();
      void utils.webhooks.list.invalidate();
      router.refresh(); // the Settings tab shows the restored values
    },
    onError: (error) => notify("error", error.message),
  });

  return (
    <QueryStatus query={query} what="the history" isEmpty={entries.length === 0} empty="No changes recorded.">
      <ol className="space-y-3" aria-label="Changes, newest first">
        {entries.map((entry) => (
          <HistoryEntry
            key={entry.id}
            entry={entry}
            canRestore={entry.restorable && entry.version !== currentVersion && currentVersion !== undefined}
            currentSecrets={currentSecrets}
            pending={restore.isPending}
            onRestore={(withSecrets) =>
              restore.mutate({
                id: webhookId,
                changeId: entry.id,
                version: currentVersion ?? entry.version,
                withSecrets,
              })
            }
          />
        ))}
      </ol>
      <LoadMore query={query} />
    </QueryStatus>
  );
}

const fingerprints = (secrets: string[] | null) => (secrets ? secrets.join(", ") || "none" : "unknown");

function HistoryEntry({
  entry,
  canRestore,
  currentSecrets,
  pending,
  onRestore,
}: {
  entry: WebhookHistoryEntry;
  canRestore: boolean;
  /** Today's secrets, by fingerprint. */
  currentSecrets: string[] | null;
  pending: boolean;
  onRestore: (withSecrets: boolean) => void;
}) {
  const [withSecrets, setWithSecrets] = useState(false);
  const checkboxId = useId();
  const title = `${ACTION_LABELS[entry.action] ?? entry.action} · version ${entry.version}`;
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <div className="flex items-start justify-between gap-4">
        <div>
          <p className="font-medium">{title}</p>
          <p className="text-slate-600">
            {entry.actor} · {formatTime(entry.createdAt)}
            {entry.ip && ` · from ${entry.ip}`}
          </p>
        </div>
        {canRestore && (
          <ConfirmDialog
            trigger={(open) => (
              <Button
                onClick={open}
                variant="outline"
                size="sm"
                disabled={pending}
                aria-label={`Restore version ${entry.version}`}
              >
                Restore this version
              </Button>
            )}
            title={`Restore version ${entry.version}?`}
            description={`The webhook's URL, events and facilities go back to this version, as a new change. Today's secrets (${fingerprints(currentSecrets)}) stay unless you choose otherwise.`}
            confirmLabel="Restore"
            onConfirm={() => onRestore(withSecrets)}
          >
            <div className="mt-4 flex items-start gap-2 text-sm">
              <Checkbox
                id={checkboxId}
                checked={withSecrets}
                disabled={entry.secrets === null}
                onChange={(event) => setWithSecrets(event.target.checked)}
                className="mt-0.5"
              />
              <label htmlFor={checkboxId}>
                {entry.secrets === null
                  ? "This version's secrets cannot be restored: they are sealed with a key this server no longer has."
                  : `Also restore this version's secrets (${fingerprints(entry.secrets)}), replacing today's.`}
              </label>
            </div>
          </ConfirmDialog>
        )}
      </div>
      {entry.changes.length > 0 && (
        <table className="mt-3 w-full table-fixed text-left text-xs">
          <thead className="text-slate-500">
            <tr>
              <th className="w-24 pr-3 font-medium">Field</th>
              <th className="pr-3 font-medium">Before</th>
              <th className="font-medium">After</th>
            </tr>
          </thead>
          <tbody>
            {entry.changes.map((change) => (
              <tr key={change.field} className="align-top">
                <td className="pr-3">{change.field}</td>
                <td className="break-all pr-3 font-mono">{show(change.before)}</td>
                <td className="break-all font-mono">{show(change.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}
