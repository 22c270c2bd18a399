SET lock_timeout = '5s';
ALTER TABLE payments ALTER COLUMN reference TYPE varchar(80);
ALTER TABLE payments ALTER COLUMN cents TYPE bigint;
