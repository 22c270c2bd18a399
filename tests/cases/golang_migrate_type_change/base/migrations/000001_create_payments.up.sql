CREATE TABLE payments (id bigint PRIMARY KEY, reference varchar(40) NOT NULL, cents integer NOT NULL);
