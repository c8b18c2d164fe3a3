import { z } from "zod";
import { protectedProcedure, router } from "../trpc/init";
import { urlTrialInput, webhookId } from "../webhooks/webhook.schemas";
import { PUBLISHABLE_EVENTS } from "../webhooks/webhook-rules";
import { listWebhookDeliveries, resendDelivery, sendTestEvent, tryUrl } from "./deliveries.service";
import { replayFilterInput, webhookDeliveriesInput } from "./delivery.schemas";
import { cancelReplay, listReplays, previewReplay, startReplay } from "./replays.service";
import { debugSignature, signatureDebugInput } from "./signature-debugger";

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
    .input(z.object({ webhookId, eventType: z.enum(PUBLISHABLE_EVENTS).optional() }))
    .mutation(({ ctx, input }) => sendTestEvent({ principal: ctx.principal, ...input, origin: ctx.origin })),

  tryUrl: protectedProcedure
    .input(urlTrialInput)
    .mutation(({ ctx, input }) => tryUrl({ principal: ctx.principal, input })),

  debugSignature: protectedProcedure
    .input(signatureDebugInput)
    .mutation(({ ctx, input }) => debugSignature({ principal: ctx.principal, input })),

  replayPreview: protectedProcedure
    .input(replayFilterInput)
    .query(({ ctx, input }) => previewReplay({ principal: ctx.principal }, input)),

  replayStart: protectedProcedure.input(replayFilterInput).mutation(async ({ ctx, input }) => {
    const { id, total } = await startReplay({ principal: ctx.principal, origin: ctx.origin }, input);
    return { id, total };
  }),

  replays: protectedProcedure
    .input(z.object({ webhookId }))
    .query(({ ctx, input }) => listReplays({ principal: ctx.principal, webhookId: input.webhookId })),

  replayCancel: protectedProcedure
    .input(z.object({ replayId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelReplay({ principal: ctx.principal, replayId: input.replayId })),
});
