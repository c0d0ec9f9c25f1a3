DROP TABLE IF EXISTS request_updates, requests;
DROP FUNCTION IF EXISTS append_only();
