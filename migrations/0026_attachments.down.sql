SELECT lo_unlink(object) FROM attachments;
DROP TABLE IF EXISTS attachments;
ALTER TABLE comments ADD CONSTRAINT comments_body_check CHECK (body <> '') NOT VALID;
