-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_kind_idx ON events (kind);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS events_kind_idx;
