import Link from "next/link";
import { requireUser } from "@/app/session";
import { formatTime } from "@/components/format-time";
import { Button } from "@/components/ui/button";
import { listNotices, NOTICES_SHOWN, type NoticeKind } from "@/server/notices/notices";
import { markNoticesReadAction } from "./actions";

export const metadata = { title: "Notices · Facility webhooks" };

const KIND: Record<NoticeKind, { label: string; style: string }> = {
  failing: { label: "Failing", style: "bg-amber-100 text-amber-900" },
  disabled: { label: "Disabled", style: "bg-red-100 text-red-800" },
  recovered: { label: "Recovered", style: "bg-green-100 text-green-800" },
};

/** What the platform told this admin about their webhooks, newest first. */
export default async function NoticesPage() {
  const { id } = await requireUser();
  const { notices, unread } = await listNotices(id);
  return (
    <>
      <div className="mb-1 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Notices</h1>
        {unread > 0 && (
          <form action={markNoticesReadAction}>
            <Button type="submit" variant="outline">
              Mark all as read
            </Button>
          </form>
        )}
      </div>
      <p className="mb-6 text-sm text-slate-600">
        When a webhook has been failing for a while, is disabled, or recovers. The newest {NOTICES_SHOWN} are
        shown.
      </p>
      {notices.length === 0 ? (
        <p className="text-slate-600">Nothing to tell you yet.</p>
      ) : (
        <ul
          aria-label="Notices"
          className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white"
        >
          {notices.map((notice) => (
            <li key={notice.id} className={`px-4 py-3 text-sm ${notice.read ? "" : "bg-slate-50"}`}>
              <div className="flex flex-wrap items-center gap-2">
                <span className={`rounded px-2 py-0.5 text-xs ${KIND[notice.kind].style}`}>
                  {KIND[notice.kind].label}
                </span>
                {!notice.read && <span className="text-xs font-semibold">Unread</span>}
                <span className="text-xs text-slate-600">{formatTime(notice.createdAt)}</span>
              </div>
              <p className="mt-1 break-words">{notice.message}</p>
              <Link href={`/webhooks/${notice.webhookId}`} className="mt-1 inline-block text-xs underline">
                Open the webhook
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
