/** Bounds on what a sign-in form may carry; shared by the form, the server action and the service. */

/** The longest email address a mailbox can have (RFC 5321's path limit); longer is no account. */
export const MAX_EMAIL_LENGTH = 254;

/** Long enough for any passphrase, short enough that the KDF cannot be used to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;
