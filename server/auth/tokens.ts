import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: bearer tokens and session cookies. */
export const generateToken = (): string => randomBytes(32).toString("base64url");

/** Tokens are high-entropy, so a fast hash is enough to keep them unusable if the database leaks. */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
