-- DropIndex
DROP INDEX "DeliveryAttempt_deliveryId_attempt_idx";

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "claimToken" TEXT;

-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "disabledReason" TEXT,
ADD COLUMN     "failingSince" TIMESTAMP(3),
ADD COLUMN     "failureStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastSuccessAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "DeliveryReplay" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "eventType" TEXT,
    "facilityIds" TEXT NOT NULL DEFAULT '[]',
    "perSecond" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "handled" INTEGER NOT NULL DEFAULT 0,
    "replayed" INTEGER NOT NULL DEFAULT 0,
    "cursorCreatedAt" TIMESTAMP(3),
    "cursorId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "stepDueAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "DeliveryReplay_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeliveryReplay_status_idx" ON "DeliveryReplay"("status");

-- CreateIndex
CREATE INDEX "DeliveryReplay_webhookId_createdAt_idx" ON "DeliveryReplay"("webhookId", "createdAt");

-- Two workers could record the same attempt number before it was unique: keep the first of each.
DELETE FROM "DeliveryAttempt" WHERE "id" IN (
  SELECT a."id" FROM "DeliveryAttempt" a
  JOIN "DeliveryAttempt" b ON b."deliveryId" = a."deliveryId" AND b."attempt" = a."attempt" AND b."id" < a."id");

-- CreateIndex
CREATE UNIQUE INDEX "DeliveryAttempt_deliveryId_attempt_key" ON "DeliveryAttempt"("deliveryId", "attempt");

-- AddForeignKey
ALTER TABLE "DeliveryReplay" ADD CONSTRAINT "DeliveryReplay_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
