-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = '5s';
UPDATE orders SET status = 'closed';
-- +goose Down
UPDATE orders SET status = 'open';
