import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: session cookies. */
export const generateToken = (): string => randomBytes(32).toString("base64url");

/**
 * API tokens carry a recognisable prefix so secret scanners (and people) can tell a leaked one
 * from any other random string. Tokens issued before the prefix existed keep working.
 */
export const API_TOKEN_PREFIX = "fwh_";
export const generateApiToken = (): string => `${API_TOKEN_PREFIX}${generateToken()}`;

/** Tokens are high-entropy, so a fast hash is enough to keep them unusable if the database leaks. */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");
