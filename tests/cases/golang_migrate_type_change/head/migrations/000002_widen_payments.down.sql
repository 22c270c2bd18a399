ALTER TABLE payments ALTER COLUMN cents TYPE integer;
ALTER TABLE payments ALTER COLUMN reference TYPE varchar(40);
