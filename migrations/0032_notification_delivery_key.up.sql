-- A random key per notification, for the id its webhook deliveries carry
-- (X-Accord-Delivery). Ids built from sequence values alone repeat after a restore
-- of an older backup, or between two installations posting to one receiver, and a
-- receiver dropping repeats would then drop new messages. Existing rows keep NULL
-- (their deliveries keep the id they were posted with); adding a column with a
-- volatile default would rewrite the whole table.
ALTER TABLE notifications ADD COLUMN delivery_key uuid;
ALTER TABLE notifications ALTER COLUMN delivery_key SET DEFAULT gen_random_uuid();
