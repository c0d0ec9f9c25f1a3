-- Adds one function and statement triggers: it holds no table for longer than the
-- ALTERs that add a trigger take (a moment, at any scale).
-- A unit's page (pages/units_routes.go) is kept rendered with its unit's epoch
-- (0050), which a write to a request it holds already moves. The page also reads,
-- of that unit, the needs it holds, the projects it owns, the promises made to it,
-- the thanks it received, its load and its give and take with other units: a write
-- to any of those rows now moves the epoch of each unit the row names, before and
-- after, at commit as 0047 says.
CREATE FUNCTION note_unit_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    units bigint[];
BEGIN
    -- TG_ARGV names the row's columns that hold a unit.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT x.u) INTO units
        FROM new_rows r CROSS JOIN unnest(TG_ARGV) c CROSS JOIN LATERAL (SELECT (to_jsonb(r) ->> c)::bigint) x (u);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT x.u) INTO units
        FROM old_rows r CROSS JOIN unnest(TG_ARGV) c CROSS JOIN LATERAL (SELECT (to_jsonb(r) ->> c)::bigint) x (u);
    ELSE
        SELECT array_agg(DISTINCT x.u) INTO units
        FROM (SELECT to_jsonb(n) AS j FROM new_rows n UNION ALL SELECT to_jsonb(o) FROM old_rows o) r
        CROSS JOIN unnest(TG_ARGV) c CROSS JOIN LATERAL (SELECT (r.j ->> c)::bigint) x (u);
    END IF;
    units := array_remove(units, NULL);
    PERFORM note_queue_epoch_moves(COALESCE(units, '{}'), '{}');
    RETURN NULL;
END $$;

CREATE TRIGGER needs_unit_epochs_insert AFTER INSERT ON needs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id');
CREATE TRIGGER needs_unit_epochs_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id');
CREATE TRIGGER needs_unit_epochs_delete AFTER DELETE ON needs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id');

CREATE TRIGGER projects_unit_epochs_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('owning_unit_id');
CREATE TRIGGER projects_unit_epochs_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('owning_unit_id');
CREATE TRIGGER projects_unit_epochs_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('owning_unit_id');

CREATE TRIGGER commitments_unit_epochs_insert AFTER INSERT ON commitments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER commitments_unit_epochs_update AFTER UPDATE ON commitments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER commitments_unit_epochs_delete AFTER DELETE ON commitments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');

CREATE TRIGGER thanks_unit_epochs_insert AFTER INSERT ON thanks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER thanks_unit_epochs_update AFTER UPDATE ON thanks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER thanks_unit_epochs_delete AFTER DELETE ON thanks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER thanks_org_epoch_truncate AFTER TRUNCATE ON thanks
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER unit_load_unit_epochs_insert AFTER INSERT ON unit_load
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER unit_load_unit_epochs_update AFTER UPDATE ON unit_load
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER unit_load_unit_epochs_delete AFTER DELETE ON unit_load
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('unit_id');
CREATE TRIGGER unit_load_org_epoch_truncate AFTER TRUNCATE ON unit_load
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER unit_exchange_unit_epochs_insert AFTER INSERT ON unit_exchange
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id', 'owner_unit_id');
CREATE TRIGGER unit_exchange_unit_epochs_update AFTER UPDATE ON unit_exchange
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id', 'owner_unit_id');
CREATE TRIGGER unit_exchange_unit_epochs_delete AFTER DELETE ON unit_exchange
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_unit_epochs('holder_unit_id', 'owner_unit_id');
CREATE TRIGGER unit_exchange_org_epoch_truncate AFTER TRUNCATE ON unit_exchange
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
