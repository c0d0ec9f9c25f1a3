ALTER TABLE notifications DROP COLUMN delivery_key;
