"use server";
import { revalidatePath } from "next/cache";
import { requireUser } from "@/app/session";
import { markNoticesRead } from "@/server/notices/notices";

/** "Mark all as read": a form post, so it works with scripts off too. */
export async function markNoticesReadAction(): Promise<void> {
  const { id } = await requireUser();
  await markNoticesRead(id);
  revalidatePath("/", "layout");
}
