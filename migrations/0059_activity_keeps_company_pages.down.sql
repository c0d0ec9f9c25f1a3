-- Restores 0056's and 0057's bodies.
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
