ALTER TABLE escalations DROP COLUMN IF EXISTS decided_for, DROP COLUMN IF EXISTS holder_statement_for,
    DROP COLUMN IF EXISTS holder_statement_by;
ALTER TABLE request_updates DROP COLUMN IF EXISTS for_user_id;
ALTER TABLE requests DROP COLUMN IF EXISTS answered_for_user_id, DROP COLUMN IF EXISTS answered_by_user_id;
DROP TABLE IF EXISTS stand_ins;
