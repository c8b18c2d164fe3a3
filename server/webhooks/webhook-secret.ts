/** Secret generation shared by the server (defaults) and the edit form ("Generate secret"). */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const GENERATED_SECRET_LENGTH = 32;

/** 32 characters of A–Z a–z 0–9 from the platform CSPRNG, without modulo bias. */
export function generateSecret(): string {
  // 248 is the largest multiple of 62 below 256: bytes at or above it are dropped.
  const limit = 256 - (256 % ALPHABET.length);
  let secret = "";
  while (secret.length < GENERATED_SECRET_LENGTH) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(48))) {
      if (byte < limit && secret.length < GENERATED_SECRET_LENGTH) secret += ALPHABET[byte % ALPHABET.length];
    }
  }
  return secret;
}
