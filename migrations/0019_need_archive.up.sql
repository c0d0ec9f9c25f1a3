-- A need whose every request was cancelled is archived rather than deleted (issue 14):
-- its cancelled requests, their history, the notifications and any escalation still
-- refer to it. An archived need leaves the resource map, the send list and every total.
ALTER TABLE needs ADD COLUMN archived_at timestamptz;
