CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    status text NOT NULL,
    legacy_status varchar(20)
);
