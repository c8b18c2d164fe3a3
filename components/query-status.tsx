import type { ReactNode } from "react";

/**
 * What a list shows while its query loads, fails or comes back empty; otherwise its children.
 */
export function QueryStatus({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: { isPending: boolean; isError: boolean; error: { message: string } | null };
  /** Plural noun for the error message, e.g. "webhooks". */
  what: string;
  isEmpty: boolean;
  empty: ReactNode;
  children: ReactNode;
}) {
  if (query.isPending) return <p className="text-slate-600">Loading…</p>;
  if (query.isError) {
    return (
      <p role="alert" className="text-red-600">
        Could not load {what}: {query.error?.message}
      </p>
    );
  }
  if (isEmpty) return <p className="text-slate-600">{empty}</p>;
  return children;
}
