DROP INDEX IF EXISTS escalations_decided_at;
DROP INDEX IF EXISTS escalations_request;
DROP INDEX IF EXISTS needs_phase_of;
-- Direct decisions have no cause of their own: keep the oldest per request and cause.
DROP INDEX IF EXISTS escalations_once_per_cause;
UPDATE notifications SET escalation_id = NULL WHERE escalation_id IN (SELECT id FROM escalations WHERE direct);
DELETE FROM escalations e WHERE e.direct AND EXISTS (
    SELECT 1 FROM escalations o WHERE o.request_id = e.request_id AND o.cause = e.cause AND o.id < e.id);
CREATE UNIQUE INDEX escalations_once_per_cause ON escalations (request_id, cause);
ALTER TABLE needs DROP COLUMN IF EXISTS phase_of_need_id;
DROP INDEX IF EXISTS notifications_escalation;
ALTER TABLE notifications DROP COLUMN IF EXISTS escalation_id;
ALTER TABLE escalations
    DROP COLUMN IF EXISTS record_decided,
    DROP COLUMN IF EXISTS record_raised,
    DROP COLUMN IF EXISTS direct,
    DROP COLUMN IF EXISTS party_decides;
