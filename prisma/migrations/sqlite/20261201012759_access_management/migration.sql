-- AlterTable
ALTER TABLE "ApiClient" ADD COLUMN "lastUsedAt" DATETIME;
ALTER TABLE "ApiClient" ADD COLUMN "previousTokenExpiresAt" DATETIME;
ALTER TABLE "ApiClient" ADD COLUMN "previousTokenHash" TEXT;
ALTER TABLE "ApiClient" ADD COLUMN "revokedAt" DATETIME;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "disabledAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userAgent" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Existing sessions keep working under a new random id.
INSERT INTO "new_Session" ("id", "createdAt", "expiresAt", "tokenHash", "userId") SELECT lower(hex(randomblob(16))), "createdAt", "expiresAt", "tokenHash", "userId" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "ApiClient_previousTokenHash_key" ON "ApiClient"("previousTokenHash");
