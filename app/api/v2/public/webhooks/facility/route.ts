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

const ROUTE = "/api/v2/public/webhooks/facility";

export const GET = publicApiRoute(ROUTE, async ({ principal }) =>
  ok({ data: (await listWebhooks({ principal })).map(contractWebhook) }),
);

export const POST = publicApiRoute(ROUTE, async ({ request, principal }) => {
  const input = await parseBody(request, createWebhookInput);
  return webhookResponse(await createWebhook({ principal, input, origin: requestOrigin(request) }), 201);
});
