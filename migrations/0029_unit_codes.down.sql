DROP TABLE IF EXISTS org_import_uploads;
DROP TRIGGER IF EXISTS units_default_code ON units;
DROP FUNCTION IF EXISTS units_default_code();
DROP INDEX IF EXISTS units_code_key;
ALTER TABLE units DROP CONSTRAINT IF EXISTS units_code_shape;
ALTER TABLE units DROP COLUMN IF EXISTS code;
