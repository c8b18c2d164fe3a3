import type { ReactNode } from "react";

/** The app's tables: a header row of `columns`, then (unless `actions` is false) a last column for row actions. */
export function DataTable({
  columns,
  actions = true,
  children,
}: {
  columns: string[];
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-left text-sm">
      <thead className="bg-slate-100 text-slate-600">
        <tr>
          {columns.map((column) => (
            <th key={column} className="px-4 py-2 font-medium">
              {column}
            </th>
          ))}
          {actions && (
            <th className="px-4 py-2">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
