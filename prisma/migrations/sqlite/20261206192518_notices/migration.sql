-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN "failingNoticedAt" DATETIME;

-- CreateTable
CREATE TABLE "Notice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" DATETIME,
    "emailState" TEXT NOT NULL DEFAULT 'none',
    "emailedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Notice_userId_createdAt_idx" ON "Notice"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Notice_emailState_createdAt_idx" ON "Notice"("emailState", "createdAt");

-- CreateIndex
CREATE INDEX "Notice_webhookId_emailedAt_idx" ON "Notice"("webhookId", "emailedAt");
