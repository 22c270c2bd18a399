-- +goose Up
ALTER TABLE shop_order ALTER COLUMN status SET NOT NULL;
-- +goose Down
ALTER TABLE shop_order ALTER COLUMN status DROP NOT NULL;
