ALTER TABLE orders ADD COLUMN legacy_status varchar(20);
