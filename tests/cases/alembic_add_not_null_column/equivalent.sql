-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE orders ADD COLUMN currency varchar(3) NOT NULL;
-- +goose Down
ALTER TABLE orders DROP COLUMN currency;
