-- Adds a nullable column: a moment's lock on sessions, at any scale.
-- The signed-in user a session names, written beside its data on every save
-- (store.SessionStore), so the statement that finds a session reads its user's row,
-- viewer stamp (migration 0045) and unread count with it: one round trip per request
-- instead of two. Sessions saved before have none, and their viewer is read on its
-- own until they are next saved.
ALTER TABLE sessions ADD COLUMN user_id bigint;
