import { z } from "zod";
import { protectedProcedure, router } from "../trpc/init";
import { createWebhookInput, listWebhooksInput, updateWebhookInput, webhookId } from "./webhook.schemas";
import {
  createWebhook,
  deleteWebhook,
  getFormOptions,
  getWebhook,
  listWebhookHistory,
  listWebhooksPage,
  reenableWebhook,
  restoreWebhookVersion,
  updateWebhook,
} from "./webhook.service";
import { getWebhookSigning, setEd25519Signatures } from "./webhook-signing.service";

/** The version the admin edited: a change made since is refused (PRECONDITION_FAILED). */
const edited = z.object({ version: z.number().int() });

const byId = z.object({ id: webhookId });

export const webhookRouter = router({
  list: protectedProcedure
    .input(listWebhooksInput)
    .query(({ ctx, input }) => listWebhooksPage({ principal: ctx.principal, input })),

  byId: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => getWebhook({ principal: ctx.principal, webhookId: input.id })),

  reenable: protectedProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      reenableWebhook({ principal: ctx.principal, webhookId: input.id, origin: ctx.origin }),
    ),

  // Ed25519 (`v1a`) signatures: the admin's door only (the REST contract's webhook has no such field).
  signing: protectedProcedure
    .input(byId)
    .query(({ ctx, input }) => getWebhookSigning({ principal: ctx.principal, webhookId: input.id })),

  setEd25519: protectedProcedure.input(byId.extend({ enabled: z.boolean() })).mutation(({ ctx, input }) =>
    setEd25519Signatures({
      principal: ctx.principal,
      webhookId: input.id,
      enabled: input.enabled,
      origin: ctx.origin,
    }),
  ),

  formOptions: protectedProcedure.query(({ ctx }) => getFormOptions({ principal: ctx.principal })),

  // In the browser a user owns several API clients, so creating names the owning one.
  create: protectedProcedure
    .input(createWebhookInput.extend({ clientId: z.string() }))
    .mutation(({ ctx, input: { clientId, ...input } }) =>
      createWebhook({ principal: ctx.principal, clientId, input, origin: ctx.origin }),
    ),

  // One schema per procedure: tRPC runs each chained `.input` on the whole input and merges them.
  update: protectedProcedure
    .input(updateWebhookInput.extend({ ...byId.shape, ...edited.shape }))
    .mutation(({ ctx, input: { id, version, ...input } }) =>
      updateWebhook({
        principal: ctx.principal,
        webhookId: id,
        input,
        expectedVersion: version,
        origin: ctx.origin,
      }),
    ),

  delete: protectedProcedure.input(byId.extend(edited.shape)).mutation(({ ctx, input }) =>
    deleteWebhook({
      principal: ctx.principal,
      webhookId: input.id,
      expectedVersion: input.version,
      origin: ctx.origin,
    }),
  ),

  history: protectedProcedure
    .input(
      byId.extend({ cursor: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100) }),
    )
    .query(async ({ ctx, input }) => {
      const items = await listWebhookHistory({
        principal: ctx.principal,
        webhookId: input.id,
        limit: input.limit,
        offset: input.cursor,
      });
      return { items, nextCursor: items.length === input.limit ? input.cursor + input.limit : null };
    }),

  restore: protectedProcedure
    .input(
      byId.extend(edited.shape).extend({ changeId: z.string(), withSecrets: z.boolean().default(false) }),
    )
    .mutation(({ ctx, input }) =>
      restoreWebhookVersion({
        principal: ctx.principal,
        webhookId: input.id,
        changeId: input.changeId,
        expectedVersion: input.version,
        withSecrets: input.withSecrets,
        origin: ctx.origin,
      }),
    ),
});
