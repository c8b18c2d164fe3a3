import { Bell } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/login/actions";
import { requireUser } from "@/app/session";
import { Button } from "@/components/ui/button";
import { countUnreadNotices } from "@/server/notices/notices";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const unread = await countUnreadNotices(user.id);
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl items-center justify-between px-6 py-3">
          <nav aria-label="Main" className="flex items-center gap-5 text-sm">
            <Link href="/webhooks" className="font-semibold">
              Facility webhooks
            </Link>
            <Link href="/clients" className="text-slate-700 hover:underline">
              API clients
            </Link>
            <Link href="/sessions" className="text-slate-700 hover:underline">
              Sessions
            </Link>
            <Link href="/audit" className="text-slate-700 hover:underline">
              Audit log
            </Link>
            {/* A plain link: the reference is its own page, outside the app's router. */}
            <a href="/docs/api" className="text-slate-700 hover:underline">
              API reference
            </a>
          </nav>
          <form action={signOutAction} className="flex items-center gap-3 text-sm text-slate-600">
            <Link
              href="/notices"
              aria-label={unread ? `Notices: ${unread} unread` : "Notices"}
              className="relative rounded-md p-1.5 text-slate-700 hover:bg-slate-100"
            >
              <Bell className="h-5 w-5" aria-hidden="true" />
              {unread > 0 && (
                <span className="absolute -right-1 -top-1 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] font-semibold leading-4 text-white">
                  {unread > 99 ? "99+" : unread}
                </span>
              )}
            </Link>
            <span>{user.email}</span>
            <Button type="submit" variant="ghost" size="sm">
              Sign out
            </Button>
          </form>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </>
  );
}
