import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import type { Principal } from "@/server/auth/principal";
import { SESSION_COOKIE, sessionUser } from "@/server/auth/sessions";

/** The signed-in admin for a page, or a redirect to /login. */
export async function requireUser(): Promise<{ id: string; email: string; principal: Principal }> {
  const user = await sessionUser((await cookies()).get(SESSION_COOKIE)?.value);
  if (!user) redirect("/login");
  return { ...user, principal: { userId: user.id, clientId: null } };
}
