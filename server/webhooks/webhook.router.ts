import { z } from "zod";
import { protectedProcedure, router } from "../trpc/init";
import { createWebhookInput, listWebhooksInput, updateWebhookInput, webhookId } from "./webhook.schemas";
import {
  createWebhook,
  deleteWebhook,
  getFormOptions,
  getWebhook,
  listWebhooksPage,
  updateWebhook,
} from "./webhook.service";

const byId = z.object({ id: webhookId });

export const webhookRouter = router({
  list: protectedProcedure
    .input(listWebhooksInput)
    .query(({ ctx, input }) => listWebhooksPage({ principal: ctx.principal, input })),

  byId: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => getWebhook({ principal: ctx.principal, webhookId: input.id })),

  formOptions: protectedProcedure.query(({ ctx }) => getFormOptions({ principal: ctx.principal })),

  // In the browser a user owns several API clients, so creating names the owning one.
  create: protectedProcedure
    .input(createWebhookInput)
    .input(z.object({ clientId: z.string() }))
    .mutation(({ ctx, input: { clientId, ...input } }) =>
      createWebhook({ principal: ctx.principal, clientId, input }),
    ),

  update: protectedProcedure
    .input(updateWebhookInput)
    .input(byId)
    .mutation(({ ctx, input: { id, ...input } }) =>
      updateWebhook({ principal: ctx.principal, webhookId: id, input }),
    ),

  delete: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) => deleteWebhook({ principal: ctx.principal, webhookId: input.id })),
});
