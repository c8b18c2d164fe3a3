import { created, ok, parseBody, publicApiRoute } from "@/server/http/rest";
import { createWebhookInput } from "@/server/webhooks/webhook.schemas";
import { createWebhook, listWebhooks } from "@/server/webhooks/webhook.service";

export const GET = publicApiRoute(async ({ principal }) => ok({ data: await listWebhooks({ principal }) }));

export const POST = publicApiRoute(async ({ request, principal }) => {
  const input = await parseBody(request, createWebhookInput);
  return created(await createWebhook({ principal, input }));
});
