"use client";
import type { listSessions } from "@/server/auth/sessions";
import { formatTime } from "./format-time";
import { notify } from "./notify";
import { trpc } from "./trpc";
import { Button } from "./ui/button";
import { DataTable } from "./ui/data-table";

type Session = Awaited<ReturnType<typeof listSessions>>[number];

/** "Chrome on Linux" from a user agent, enough to recognise one's own devices. */
function describeBrowser(userAgent: string): string {
  const browser =
    [/Edg\//, /Firefox\//, /Chrome\//, /Safari\//].map((re) => userAgent.match(re)?.[0]).find(Boolean) ?? "";
  const names: Record<string, string> = {
    "Edg/": "Edge",
    "Firefox/": "Firefox",
    "Chrome/": "Chrome",
    "Safari/": "Safari",
  };
  const os = ["Windows", "Mac OS", "Android", "iPhone", "Linux"].find((name) => userAgent.includes(name));
  return [names[browser] ?? "Unknown browser", os && `on ${os === "Mac OS" ? "macOS" : os}`]
    .filter(Boolean)
    .join(" ");
}

/** The signed-in user's sessions: end one, or all but this one. */
export function SessionsList({ initialSessions }: { initialSessions: Session[] }) {
  const utils = trpc.useUtils();
  const sessions = trpc.sessions.list.useQuery(undefined, { initialData: initialSessions }).data;
  const refresh = () => utils.sessions.list.invalidate();
  const end = trpc.sessions.end.useMutation({
    onSuccess: () => {
      notify("success", "Session ended");
      void refresh();
    },
    onError: (e) => notify("error", e.message),
  });
  const endOthers = trpc.sessions.endOthers.useMutation({
    onSuccess: (count) => {
      notify("success", `Ended ${count} other session${count === 1 ? "" : "s"}`);
      void refresh();
    },
    onError: (e) => notify("error", e.message),
  });
  const others = sessions.filter((s) => !s.current).length;

  return (
    <div className="space-y-4">
      <DataTable columns={["Browser", "Signed in", "Last seen"]}>
        {sessions.map((session) => (
          <tr key={session.id} className="border-t border-slate-200">
            <td className="px-4 py-3">
              {describeBrowser(session.userAgent)}
              {session.current && (
                <span className="ml-2 rounded bg-emerald-100 px-1.5 text-xs">This session</span>
              )}
            </td>
            <td className="px-4 py-3">{formatTime(session.createdAt)}</td>
            <td className="px-4 py-3">{formatTime(session.lastSeenAt)}</td>
            <td className="px-4 py-3 text-right">
              {!session.current && (
                <Button
                  variant="ghost"
                  size="sm"
                  disabled={end.isPending}
                  aria-label={`End session signed in ${formatTime(session.createdAt)}`}
                  onClick={() => end.mutate({ sessionId: session.id })}
                >
                  End
                </Button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <Button
        variant="outline"
        disabled={others === 0 || endOthers.isPending}
        onClick={() => endOthers.mutate()}
      >
        End all other sessions
      </Button>
    </div>
  );
}
