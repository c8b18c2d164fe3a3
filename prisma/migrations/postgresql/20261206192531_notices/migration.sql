-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN     "failingNoticedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Notice" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),
    "emailState" TEXT NOT NULL DEFAULT 'none',
    "emailedAt" TIMESTAMP(3),

    CONSTRAINT "Notice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Notice_userId_createdAt_idx" ON "Notice"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Notice_emailState_createdAt_idx" ON "Notice"("emailState", "createdAt");

-- CreateIndex
CREATE INDEX "Notice_webhookId_emailedAt_idx" ON "Notice"("webhookId", "emailedAt");
