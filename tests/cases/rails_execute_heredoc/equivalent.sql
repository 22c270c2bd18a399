-- +goose Up
SET lock_timeout = '5s';
UPDATE orders
SET status = lower(status);
