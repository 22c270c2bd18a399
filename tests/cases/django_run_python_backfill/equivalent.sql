-- +goose Up
UPDATE shop_order SET status = 'open' WHERE status IS NULL;
