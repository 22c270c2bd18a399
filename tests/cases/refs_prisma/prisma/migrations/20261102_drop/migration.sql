-- legacy_status is no longer read
ALTER TABLE "orders" DROP COLUMN "legacy_status";
