ALTER TABLE orders ADD COLUMN state_id integer REFERENCES order_states (id);

UPDATE orders
SET state_id = CASE status
    WHEN 'open' THEN 1
    WHEN 'paid' THEN 2
    WHEN 'cancelled' THEN 3
END;

CREATE INDEX orders_state_id_idx ON orders (state_id);
