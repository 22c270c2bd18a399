CREATE TABLE order_states (
    id integer PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO order_states (id, name) VALUES (1, 'open'), (2, 'paid'), (3, 'refunded'), (4, 'cancelled');

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    status varchar(20) NOT NULL,
    legacy_status varchar(20),
    total numeric(10, 2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
