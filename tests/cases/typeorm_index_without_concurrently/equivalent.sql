-- +goose Up
CREATE INDEX "IDX_orders_user_id" ON orders (user_id);
-- +goose Down
DROP INDEX "IDX_orders_user_id";
