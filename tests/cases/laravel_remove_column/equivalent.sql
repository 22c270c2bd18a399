-- +goose Up
SET lock_timeout = '5s';
ALTER TABLE orders DROP COLUMN legacy_status;
