-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "responseBytes" INTEGER,
ADD COLUMN     "responseContentType" TEXT;
