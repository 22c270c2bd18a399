-- +goose NO TRANSACTION
-- +goose Up
-- migration-review: ignore missing-lock-timeout the runner sets lock_timeout for every migration
ALTER TABLE orders ADD COLUMN coupon_id bigint;
CREATE INDEX CONCURRENTLY index_orders_on_coupon_id ON orders (coupon_id);
ALTER TABLE orders ADD CONSTRAINT fk_rails_907a5e9f62 FOREIGN KEY (coupon_id) REFERENCES coupons (id);
-- +goose Down
ALTER TABLE orders DROP COLUMN IF EXISTS coupon_id;
