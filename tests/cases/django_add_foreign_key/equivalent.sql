-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE shop_order ADD COLUMN customer_id bigint NULL;
CREATE INDEX shop_order_customer_id_idx ON shop_order (customer_id);
ALTER TABLE shop_order ADD CONSTRAINT shop_order_customer_id_fk FOREIGN KEY (customer_id) REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED;
-- +goose Down
ALTER TABLE shop_order DROP COLUMN customer_id;
