/**
 * Who is acting. A browser session acts for a user over all the API clients that user owns;
 * an API client acts for its owner, but only over its own webhooks. Facility access is always
 * the user's, read from the database on every use, so taking it away takes effect at once.
 */
export type Principal = {
  userId: string;
  /** Set when an API client is acting; null for a signed-in user. */
  clientId: string | null;
  /** Set when a browser session is acting: the Sessions view marks it and keeps it on "end all others". */
  sessionId?: string;
};
