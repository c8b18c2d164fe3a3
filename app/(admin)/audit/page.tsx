import { requireUser } from "@/app/session";
import { FilterSelect } from "@/components/filter-select";
import { formatTime } from "@/components/format-time";
import { Button, buttonClass } from "@/components/ui/button";
import { DataTable } from "@/components/ui/data-table";
import { AUDIT_ACTIONS, auditQuery, listAuditEntries } from "@/server/audit/audit";

export const metadata = { title: "Audit log · Facility webhooks" };

/** How an entry's details read to a person: `from: "Old" → to: "New"`, `facilities: P-1, P-2`. */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(", ") : String(value ?? "—")}`)
    .join("; ");
}

/**
 * Who changed access to this account — its API clients, sessions, facility access — when, and from
 * where. Rendered on the server: its filter is a GET form and its paging a link, so it needs no scripts.
 */
export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { principal } = await requireUser();
  const params = await searchParams;
  const parsed = auditQuery
    .pick({ action: true, before: true })
    .safeParse({ action: params.action || undefined, before: params.before || undefined });
  const filters = parsed.success ? parsed.data : {};
  const { entries, next } = await listAuditEntries({ accountId: principal.userId, ...filters });
  const older =
    next &&
    `/audit?${new URLSearchParams({ ...(filters.action && { action: filters.action }), before: next })}`;
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Audit log</h1>
      <p className="mb-6 text-sm text-slate-600">
        Every change to who can reach your webhooks: API clients issued, renamed, rotated and revoked,
        sessions ended, facility access granted and removed — by whom, when and from where.
      </p>
      {!parsed.success && (
        <p role="alert" className="mb-4 text-sm text-red-700">
          Showing every entry: {parsed.error.issues.map((issue) => issue.message).join("; ")}.
        </p>
      )}
      <form method="get" action="/audit" className="mb-4 flex items-end gap-4">
        <FilterSelect
          id="audit-action"
          name="action"
          label="Action"
          defaultValue={filters.action ?? ""}
          anyLabel="All actions"
          options={AUDIT_ACTIONS}
        />
        <Button type="submit" variant="outline">
          Filter
        </Button>
      </form>
      {entries.length === 0 ? (
        <p className="text-slate-600">
          {filters.action || filters.before ? "No entries match." : "Nothing recorded yet."}
        </p>
      ) : (
        <DataTable columns={["When", "Who", "From", "Action", "What"]} actions={false}>
          {entries.map((entry) => (
            <tr key={entry.id} className="border-t border-slate-200 align-top">
              <td className="whitespace-nowrap px-4 py-3">{formatTime(entry.createdAt)}</td>
              <td className="break-all px-4 py-3">{entry.actor}</td>
              <td className="px-4 py-3 text-xs text-slate-600">
                {entry.ip || "—"}
                {entry.userAgent && <span className="block break-all">{entry.userAgent}</span>}
              </td>
              <td className="whitespace-nowrap px-4 py-3 font-mono text-xs">{entry.action}</td>
              <td className="px-4 py-3">
                {entry.target}
                {Object.keys(entry.details).length > 0 && (
                  <span className="block text-xs text-slate-600">{detailsText(entry.details)}</span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <div className="mt-4 flex justify-between text-sm">
        {filters.before ? (
          <a href={filters.action ? `/audit?action=${filters.action}` : "/audit"} className="underline">
            Newest entries
          </a>
        ) : (
          <span />
        )}
        {older && (
          <a href={older} className={buttonClass({ variant: "outline" })}>
            Older entries
          </a>
        )}
      </div>
    </>
  );
}
