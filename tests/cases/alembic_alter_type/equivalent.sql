-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 4);
ALTER TABLE orders ALTER COLUMN status TYPE varchar(50);
-- +goose Down
ALTER TABLE orders ALTER COLUMN total TYPE numeric(10, 2);
