import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Principal } from "@/server/auth/principal";
import { sessionTokenFrom } from "@/server/auth/session-cookie";
import { sessionUser } from "@/server/auth/sessions";

/** The signed-in admin for a page, or a redirect to /login. */
export async function requireUser(): Promise<{ id: string; email: string; principal: Principal }> {
  const user = await sessionUser(sessionTokenFrom(await headers()));
  if (!user) redirect("/login");
  return user;
}
