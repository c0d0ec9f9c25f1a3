-- The start page lists, for the head of a holding unit, the escalations on its
-- requests that still wait for the holder's statement. It reaches them from the units
-- the person heads through their requests; this index answers "is a statement owed on
-- this request?" from a few entries, whatever the number of escalations decided or
-- already answered.
CREATE INDEX escalations_statement_owed ON escalations (request_id)
    WHERE status IN ('open', 'sent_back') AND holder_statement = '';
