-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE shop_order ADD COLUMN customer_id bigint NULL CONSTRAINT shop_order_customer_id_fk REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX shop_order_customer_id_idx ON shop_order (customer_id);
-- +goose Down
ALTER TABLE shop_order DROP COLUMN customer_id;
