/** Literal examples from the contract (../shared/spec/facility-webhooks.md), kept verbatim. */
export const SEED_BODY = { url: 5, events: "x", facilities: [5], secrets: "x" };

export const SEED_MESSAGES = [
  "should be a secure URL with HTTPS",
  "url must be a string",
  "events must contain at least 1 elements",
  "events must be an array",
  "each value in events must be one of the following values: shift.request.created, shift.request.cancelled, shift.report.created, shift.scheduled.cancelled, shift.scheduled, shift.created, shift.report.accepted-automatically, shift.report.accepted, shift.report.rejected, shift.cancelled, all",
  "each value in facilities must be a string",
  "secrets must contain no more than 2 elements",
  "secrets must be an array",
];
