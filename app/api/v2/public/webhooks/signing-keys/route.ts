import { signingKeys } from "@/server/crypto/signing-keys";
import { observed } from "@/server/http/observed";
import { errorResponse } from "@/server/http/rest";

/** How long receivers and caches may keep the set: a new key signs beside the old one far longer. */
const MAX_AGE_SECONDS = 300;

/**
 * The platform's Ed25519 public keys, as a JWK set (RFC 7517): what receivers of `v1a` signatures
 * verify with. No token: public keys are public, and receivers fetch them without one.
 */
export const GET = observed("/api/v2/public/webhooks/signing-keys", async (request: Request) => {
  try {
    const keys = (await signingKeys()).map((key) => key.jwk);
    return Response.json({ keys }, { headers: { "Cache-Control": `public, max-age=${MAX_AGE_SECONDS}` } });
  } catch (error) {
    return errorResponse(error, request);
  }
});
