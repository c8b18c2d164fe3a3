import {
  expectedVersionFrom,
  parseBody,
  publicApiRoute,
  requestOrigin,
  webhookResponse,
} from "@/server/http/rest";
import { updateWebhookInput } from "@/server/webhooks/webhook.schemas";
import { deleteWebhook, getWebhook, updateWebhook } from "@/server/webhooks/webhook.service";

const ROUTE = "/api/v2/public/webhooks/facility/:webhookId";

type Params = { webhookId: string };

/** One webhook with its ETag (ours; the contract has only the list): what an If-Match needs. */
export const GET = publicApiRoute<Params>(ROUTE, async ({ principal, params }) =>
  webhookResponse(await getWebhook({ principal, webhookId: params.webhookId }), 200),
);

// The contract answers a successful update with 201, not 200.
export const PATCH = publicApiRoute<Params>(ROUTE, async ({ request, principal, params }) => {
  const input = await parseBody(request, updateWebhookInput);
  const webhook = await updateWebhook({
    principal,
    webhookId: params.webhookId,
    input,
    expectedVersion: expectedVersionFrom(request),
    origin: requestOrigin(request),
  });
  return webhookResponse(webhook, 201);
});

export const DELETE = publicApiRoute<Params>(ROUTE, async ({ request, principal, params }) => {
  await deleteWebhook({
    principal,
    webhookId: params.webhookId,
    expectedVersion: expectedVersionFrom(request),
    origin: requestOrigin(request),
  });
  // The contract lists 201 first for delete; clients written for the original may check it.
  return new Response(null, { status: 201 });
});
