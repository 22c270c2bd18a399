-- +goose Up
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY orders_status_index ON orders (status);
