import { webhookRouter } from "../webhooks/webhook.router";
import { createCallerFactory, router } from "./init";

export const appRouter = router({ webhooks: webhookRouter });
export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
