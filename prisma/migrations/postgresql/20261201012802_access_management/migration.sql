-- AlterTable
ALTER TABLE "ApiClient" ADD COLUMN     "lastUsedAt" TIMESTAMP(3),
ADD COLUMN     "previousTokenExpiresAt" TIMESTAMP(3),
ADD COLUMN     "previousTokenHash" TEXT,
ADD COLUMN     "revokedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Session" DROP CONSTRAINT "Session_pkey",
-- Existing sessions keep working under a new random id.
ADD COLUMN     "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
ADD COLUMN     "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "userAgent" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "Session_pkey" PRIMARY KEY ("id");

ALTER TABLE "Session" ALTER COLUMN "id" DROP DEFAULT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "disabledAt" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "ApiClient_previousTokenHash_key" ON "ApiClient"("previousTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");
