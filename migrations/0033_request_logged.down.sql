DROP TRIGGER request_updates_logged ON request_updates;
DROP FUNCTION request_updates_add_logged();
DROP TABLE request_logged;
