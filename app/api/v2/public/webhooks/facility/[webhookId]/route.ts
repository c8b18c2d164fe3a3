import { created, parseBody, publicApiRoute } from "@/server/http/rest";
import { updateWebhookInput } from "@/server/webhooks/webhook.schemas";
import { deleteWebhook, updateWebhook } from "@/server/webhooks/webhook.service";

type Params = { webhookId: string };

// The contract answers a successful update with 201, not 200.
export const PATCH = publicApiRoute<Params>(async ({ request, principal, params }) => {
  const input = await parseBody(request, updateWebhookInput);
  return created(await updateWebhook({ principal, webhookId: params.webhookId, input }));
});

export const DELETE = publicApiRoute<Params>(async ({ principal, params }) => {
  await deleteWebhook({ principal, webhookId: params.webhookId });
  // The contract lists 201 first for delete; clients written for the original may check it.
  return new Response(null, { status: 201 });
});
