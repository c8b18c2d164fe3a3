/** A timestamp the same on the server and in the browser (no locale or time zone to disagree on). */
export function formatTime(value: Date | string | null): string {
  if (!value) return "—";
  return `${new Date(value).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
