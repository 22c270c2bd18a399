-- +goose Up
SET lock_timeout = '5s';
-- migration-review: ignore column-dropped nothing reads legacy_code since 2.4
ALTER TABLE shop_order DROP COLUMN legacy_code;
-- +goose Down
ALTER TABLE shop_order ADD COLUMN legacy_code varchar(40);
