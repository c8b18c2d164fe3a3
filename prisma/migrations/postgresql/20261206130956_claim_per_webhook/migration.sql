-- DropIndex
DROP INDEX "Delivery_status_dueAtMs_idx";

-- CreateIndex
CREATE INDEX "Delivery_status_webhookId_dueAtMs_idx" ON "Delivery"("status", "webhookId", "dueAtMs");
