BEGIN;
SET SESSION lock_wait_timeout = 5;
DELETE FROM `sessions` WHERE `expires_at` < NOW();
COMMIT;
