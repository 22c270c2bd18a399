-- +goose NO TRANSACTION
-- +goose Up
UPDATE orders SET state = 'open' WHERE state IS NULL;
ALTER TABLE orders ALTER COLUMN state TYPE varchar(255);
ALTER TABLE orders ALTER COLUMN state SET NOT NULL;
-- +goose Down
ALTER TABLE orders ALTER COLUMN state TYPE varchar(255);
ALTER TABLE orders ALTER COLUMN state DROP NOT NULL;
