-- Adds two functions and statement triggers: it holds no table for longer than the
-- ALTERs that add a trigger take (a moment, at any scale).
-- Every server keeps, per session, what finding it read (store/session_cache.go): the
-- session's data, its user's row, viewer stamp (0045) and unread count. A write to a
-- session, a stamp or a notification now says whose, on the channel accord_viewers,
-- when its transaction commits: each server LISTENs there and forgets those people's
-- sessions. A change to a user row already moves their stamp (0045), so stamps speak
-- for the users table. The payload is people's ids, comma-separated, at most 200 to a
-- notice (a payload holds under 8,000 bytes); '*' asks every server to forget all, and
-- one starting with '~' is a server's echo to itself (store/session_cache.go).
CREATE FUNCTION notify_viewers(people bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    batch text;
BEGIN
    -- A loop: a plain SQL function would run its last query only for the first row.
    FOR batch IN SELECT string_agg(id::text, ',')
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 200 AS n
              FROM (SELECT DISTINCT id FROM unnest(people) id WHERE id IS NOT NULL) d) numbered
        GROUP BY n
    LOOP
        PERFORM pg_notify('accord_viewers', batch);
    END LOOP;
END $$;

CREATE FUNCTION notify_viewers_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Every table this serves names its person in user_id.
    IF TG_OP = 'INSERT' THEN
        PERFORM notify_viewers(ARRAY(SELECT user_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM notify_viewers(ARRAY(SELECT user_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM notify_viewers(ARRAY(SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows));
    ELSE -- TRUNCATE
        PERFORM pg_notify('accord_viewers', '*');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_viewer_notices_insert AFTER INSERT ON sessions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER sessions_viewer_notices_update AFTER UPDATE ON sessions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER sessions_viewer_notices_delete AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER sessions_viewer_notices_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();

CREATE TRIGGER viewer_stamps_viewer_notices_insert AFTER INSERT ON viewer_stamps
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER viewer_stamps_viewer_notices_update AFTER UPDATE ON viewer_stamps
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER viewer_stamps_viewer_notices_delete AFTER DELETE ON viewer_stamps
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER viewer_stamps_viewer_notices_truncate AFTER TRUNCATE ON viewer_stamps
    FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();

CREATE TRIGGER notifications_viewer_notices_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER notifications_viewer_notices_update AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER notifications_viewer_notices_delete AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
CREATE TRIGGER notifications_viewer_notices_truncate AFTER TRUNCATE ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION notify_viewers_of_rows();
