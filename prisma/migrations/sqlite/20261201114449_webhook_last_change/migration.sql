-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN "lastChangeId" TEXT;
