/** A webhook as the product works with it: what the contract's body holds, and its version. */
import type { WebhookEventName } from "./webhook-rules";

export type Webhook = {
  id: string;
  url: string;
  events: WebhookEventName[];
  clientId: string;
  facilities: string[];
  secrets: string[];
  /** Not part of the contract's body: REST answers it as the ETag. */
  version: number;
};
