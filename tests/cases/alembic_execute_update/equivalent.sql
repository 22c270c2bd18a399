-- +goose Up
UPDATE orders SET status = 'closed';
