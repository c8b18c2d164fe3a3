import { getDb } from "../db";
import { AppError } from "../errors";
import type { Principal } from "./principal";
import { cachedPrincipal } from "./principal-cache";
import { hashToken } from "./tokens";

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/;

/** The API client behind an `Authorization: Bearer …` header; 401 when missing, malformed or unknown. */
export async function principalFromBearer(header: string | null): Promise<Principal> {
  const token = header?.match(BEARER)?.[1];
  const tokenHash = token && hashToken(token);
  const principal =
    tokenHash &&
    (await cachedPrincipal(tokenHash, async () => {
      const client = await getDb().apiClient.findUnique({
        where: { tokenHash },
        select: { id: true, ownerId: true },
      });
      return client && { userId: client.ownerId, clientId: client.id };
    }));
  if (!principal) throw new AppError("UNAUTHORIZED");
  return principal;
}
