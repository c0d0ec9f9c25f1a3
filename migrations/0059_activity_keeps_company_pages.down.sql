-- Restores 0056's and 0057's bodies, and 0056's trigger.
DROP TRIGGER IF EXISTS requests_zz_portfolio_epoch_update ON requests;
CREATE TRIGGER requests_portfolio_epoch_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();
CREATE OR REPLACE FUNCTION note_portfolio_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, project_id, state, due_date, queue_tier, last_activity_at, holder_unit_id, key_person_user_id
            FROM new_rows
            EXCEPT SELECT id, project_id, state, due_date, queue_tier, last_activity_at, holder_unit_id, key_person_user_id
            FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('portfolio');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION note_search_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, last_activity_at, message,
                scope, offer, counter_scope, decline_reason, transfer_reason FROM new_rows
            EXCEPT SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, last_activity_at, message,
                scope, offer, counter_scope, decline_reason, transfer_reason FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('search');
    END IF;
    RETURN NULL;
END $$;
