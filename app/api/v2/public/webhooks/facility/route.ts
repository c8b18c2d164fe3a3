import {
  contractWebhook,
  ok,
  parseBody,
  publicApiRoute,
  requestOrigin,
  webhookResponse,
} from "@/server/http/rest";
import { createWebhookInput } from "@/server/webhooks/webhook.schemas";
import { createWebhook, listWebhooks } from "@/server/webhooks/webhook.service";

export const GET = publicApiRoute(async ({ principal }) =>
  ok({ data: (await listWebhooks({ principal })).map(contractWebhook) }),
);

export const POST = publicApiRoute(async ({ request, principal }) => {
  const input = await parseBody(request, createWebhookInput);
  return webhookResponse(await createWebhook({ principal, input, origin: requestOrigin(request) }), 201);
});
