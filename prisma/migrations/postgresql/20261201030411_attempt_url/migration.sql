-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "url" TEXT NOT NULL DEFAULT '';
