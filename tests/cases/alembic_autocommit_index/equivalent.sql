-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);
BEGIN;
CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);
COMMIT;
-- +goose Down
DROP INDEX ix_orders_status;
