-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "WebhookChange" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "ip" TEXT NOT NULL DEFAULT '',
    "userAgent" TEXT NOT NULL DEFAULT '',
    "changes" TEXT NOT NULL,
    "snapshot" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookChange_webhookId_createdAt_idx" ON "WebhookChange"("webhookId", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookChange_createdAt_idx" ON "WebhookChange"("createdAt");
