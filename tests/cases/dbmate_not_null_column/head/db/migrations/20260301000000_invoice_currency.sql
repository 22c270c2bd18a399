-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE invoices ADD COLUMN currency char(3) NOT NULL;

-- migrate:down
ALTER TABLE invoices DROP COLUMN currency;
