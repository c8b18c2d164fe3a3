import { getDb } from "../db";
import { AppError } from "../errors";
import type { Principal } from "./principal";
import { hashToken } from "./tokens";

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/** The API client behind an `Authorization: Bearer …` header; 401 when missing, malformed or unknown. */
export async function principalFromBearer(header: string | null): Promise<Principal> {
  const token = header?.match(BEARER)?.[1];
  if (!token) throw new AppError("UNAUTHORIZED");
  const client = await getDb().apiClient.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, ownerId: true },
  });
  if (!client) throw new AppError("UNAUTHORIZED");
  return { userId: client.ownerId, clientId: client.id };
}
