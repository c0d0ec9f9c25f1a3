DROP INDEX IF EXISTS escalations_decided_at;
DROP INDEX IF EXISTS escalations_request;
DROP INDEX IF EXISTS needs_phase_of;
ALTER TABLE needs DROP COLUMN IF EXISTS phase_of_need_id;
ALTER TABLE notifications DROP COLUMN IF EXISTS escalation_id;
ALTER TABLE escalations
    DROP COLUMN IF EXISTS record_decided,
    DROP COLUMN IF EXISTS record_raised,
    DROP COLUMN IF EXISTS direct,
    DROP COLUMN IF EXISTS party_decides;
