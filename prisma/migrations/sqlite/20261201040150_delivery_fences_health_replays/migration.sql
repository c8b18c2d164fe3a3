-- DropIndex
DROP INDEX "DeliveryAttempt_deliveryId_attempt_idx";

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "claimToken" TEXT;

-- CreateTable
CREATE TABLE "DeliveryReplay" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "webhookId" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "since" DATETIME NOT NULL,
    "until" DATETIME NOT NULL,
    "eventType" TEXT,
    "facilityIds" TEXT NOT NULL DEFAULT '[]',
    "perSecond" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "handled" INTEGER NOT NULL DEFAULT 0,
    "replayed" INTEGER NOT NULL DEFAULT 0,
    "cursorCreatedAt" DATETIME,
    "cursorId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "stepDueAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    CONSTRAINT "DeliveryReplay_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Webhook" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "url" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastSuccessAt" DATETIME,
    "failingSince" DATETIME,
    "failureStreak" INTEGER NOT NULL DEFAULT 0,
    "disabledAt" DATETIME,
    "disabledReason" TEXT,
    CONSTRAINT "Webhook_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Webhook" ("clientId", "createdAt", "id", "updatedAt", "url", "version") SELECT "clientId", "createdAt", "id", "updatedAt", "url", "version" FROM "Webhook";
DROP TABLE "Webhook";
ALTER TABLE "new_Webhook" RENAME TO "Webhook";
CREATE INDEX "Webhook_clientId_createdAt_id_idx" ON "Webhook"("clientId", "createdAt", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
