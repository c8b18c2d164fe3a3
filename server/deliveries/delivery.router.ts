import { z } from "zod";
import { protectedProcedure, router } from "../trpc/init";
import { webhookId } from "../webhooks/webhook.schemas";
import { listWebhookDeliveries, resendDelivery, sendTestEvent } from "./deliveries.service";
import { webhookDeliveriesInput } from "./delivery.schemas";

export const deliveryRouter = router({
  list: protectedProcedure
    .input(webhookDeliveriesInput)
    .query(({ ctx, input }) => listWebhookDeliveries({ principal: ctx.principal, input })),

  resend: protectedProcedure
    .input(z.object({ deliveryId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      resendDelivery({ principal: ctx.principal, deliveryId: input.deliveryId, origin: ctx.origin }),
    ),

  sendTest: protectedProcedure
    .input(z.object({ webhookId }))
    .mutation(({ ctx, input }) =>
      sendTestEvent({ principal: ctx.principal, webhookId: input.webhookId, origin: ctx.origin }),
    ),
});
