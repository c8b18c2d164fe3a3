-- DropIndex
DROP INDEX "Webhook_clientId_createdAt_idx";

-- CreateIndex
CREATE INDEX "Webhook_clientId_createdAt_id_idx" ON "Webhook"("clientId", "createdAt", "id");
