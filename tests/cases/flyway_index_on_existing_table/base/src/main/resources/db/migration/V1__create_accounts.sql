CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    email varchar(255) NOT NULL,
    plan varchar(20) NOT NULL DEFAULT 'free'
);
