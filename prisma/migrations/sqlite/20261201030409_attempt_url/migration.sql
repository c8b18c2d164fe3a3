-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_DeliveryAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "signature" TEXT NOT NULL,
    "responseStatus" INTEGER,
    "responseBody" TEXT NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "url" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "Delivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_DeliveryAttempt" ("attempt", "createdAt", "deliveryId", "id", "latencyMs", "responseBody", "responseStatus", "signature") SELECT "attempt", "createdAt", "deliveryId", "id", "latencyMs", "responseBody", "responseStatus", "signature" FROM "DeliveryAttempt";
DROP TABLE "DeliveryAttempt";
ALTER TABLE "new_DeliveryAttempt" RENAME TO "DeliveryAttempt";
CREATE INDEX "DeliveryAttempt_deliveryId_attempt_idx" ON "DeliveryAttempt"("deliveryId", "attempt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
