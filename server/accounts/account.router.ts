import { z } from "zod";
import { endOtherSessions, endSession, listSessions } from "../auth/sessions";
import { protectedProcedure, router } from "../trpc/init";
import { createClient, listClients, renameClient, revokeClient, rotateClientToken } from "./clients.service";

// Names and graces are checked by the service (one rule for the browser and the CLI).
const clientId = z.object({ clientId: z.string() });

export const clientRouter = router({
  list: protectedProcedure.query(({ ctx }) => listClients({ principal: ctx.principal })),

  create: protectedProcedure.input(z.object({ name: z.string() })).mutation(({ ctx, input }) =>
    createClient({
      ownerId: ctx.principal.userId,
      name: input.name,
      by: { principal: ctx.principal, origin: ctx.origin },
    }),
  ),

  rename: protectedProcedure
    .input(clientId.extend({ name: z.string() }))
    .mutation(({ ctx, input }) => renameClient({ manager: ctx.principal, origin: ctx.origin, ...input })),

  rotate: protectedProcedure
    .input(clientId.extend({ graceHours: z.number() }))
    .mutation(({ ctx, input }) =>
      rotateClientToken({ manager: ctx.principal, origin: ctx.origin, ...input }),
    ),

  revoke: protectedProcedure.input(clientId).mutation(async ({ ctx, input }) => {
    await revokeClient({ manager: ctx.principal, origin: ctx.origin, ...input });
  }),
});

export const sessionRouter = router({
  list: protectedProcedure.query(({ ctx }) => listSessions({ principal: ctx.principal })),

  end: protectedProcedure
    .input(z.object({ sessionId: z.string() }))
    .mutation(({ ctx, input }) =>
      endSession({ principal: ctx.principal, origin: ctx.origin, sessionId: input.sessionId }),
    ),

  endOthers: protectedProcedure.mutation(({ ctx }) =>
    endOtherSessions({ principal: ctx.principal, origin: ctx.origin }),
  ),
});
