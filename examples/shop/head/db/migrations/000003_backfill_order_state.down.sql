DROP INDEX orders_state_id_idx;
ALTER TABLE orders DROP COLUMN state_id;
