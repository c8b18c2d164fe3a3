import { clientRouter, sessionRouter } from "../accounts/account.router";
import { deliveryRouter } from "../deliveries/delivery.router";
import { webhookRouter } from "../webhooks/webhook.router";
import { createCallerFactory, router } from "./init";

export const appRouter = router({
  webhooks: webhookRouter,
  deliveries: deliveryRouter,
  clients: clientRouter,
  sessions: sessionRouter,
});
export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
