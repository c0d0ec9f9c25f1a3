-- Units get a stable code: what an organisation import matches them by (people are
-- matched by email). Existing units are given U<id>; a unit created without a code
-- (the admin form left empty, a generator) gets the same, or U<id>-<n> when an
-- import already took that.
ALTER TABLE units ADD COLUMN code text;
UPDATE units SET code = 'U' || id;
ALTER TABLE units ALTER COLUMN code SET NOT NULL;
ALTER TABLE units ADD CONSTRAINT units_code_shape CHECK (code <> '' AND length(code) <= 64);
CREATE UNIQUE INDEX units_code_key ON units (code);

CREATE FUNCTION units_default_code() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    candidate text := 'U' || NEW.id;
    n int := 1;
BEGIN
    IF NEW.code IS NOT NULL AND NEW.code <> '' THEN
        RETURN NEW;
    END IF;
    WHILE EXISTS (SELECT 1 FROM units WHERE code = candidate) LOOP
        n := n + 1;
        candidate := 'U' || NEW.id || '-' || n;
    END LOOP;
    NEW.code := candidate;
    RETURN NEW;
END $$;
CREATE TRIGGER units_default_code BEFORE INSERT ON units
    FOR EACH ROW EXECUTE FUNCTION units_default_code();

-- An uploaded organisation file, kept between its dry run and its apply so the
-- apply reads exactly the rows that were checked. payload is the parsed file
-- (orgio.File as JSON); digest its SHA-256. Old uploads are removed as new ones come.
CREATE TABLE org_import_uploads (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_user_id bigint NOT NULL REFERENCES users (id),
    filename      text NOT NULL DEFAULT '',
    digest        text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_import_uploads_created_at ON org_import_uploads (created_at);
