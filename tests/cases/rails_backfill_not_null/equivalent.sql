-- +goose Up
ALTER TABLE orders ADD COLUMN state varchar;
UPDATE orders SET state = 'open' WHERE state IS NULL;
ALTER TABLE orders ALTER COLUMN state SET NOT NULL;
-- +goose Down
ALTER TABLE orders DROP COLUMN state;
