-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint;
ALTER TABLE orders ALTER COLUMN status TYPE varchar(40);
-- +goose Down
ALTER TABLE orders ALTER COLUMN total TYPE numeric(10, 2);
