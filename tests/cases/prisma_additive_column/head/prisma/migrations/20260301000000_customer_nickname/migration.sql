-- AlterTable
ALTER TABLE "customers" ADD COLUMN "nickname" TEXT;
