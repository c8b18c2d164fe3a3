-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN "responseBytes" INTEGER;
ALTER TABLE "DeliveryAttempt" ADD COLUMN "responseContentType" TEXT;
