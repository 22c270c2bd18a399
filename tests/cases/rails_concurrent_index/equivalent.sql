-- +goose Up
CREATE INDEX CONCURRENTLY index_orders_on_status ON orders (status);
-- +goose Down
DROP INDEX index_orders_on_status;
