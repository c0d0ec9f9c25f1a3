ALTER TABLE requests DROP COLUMN IF EXISTS transfer_reason;
ALTER TABLE requests DROP COLUMN IF EXISTS transferred_from_unit_id;
