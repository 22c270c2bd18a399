-- +goose Up
CREATE INDEX CONCURRENTLY shop_order_status_idx
    ON shop_order (status);
-- +goose Down
DROP INDEX shop_order_status_idx;
