-- Followers (抄送, issue 15): people who hear of a request's or an escalation's steps
-- and conversation without being parties to it.
CREATE TABLE followers (
    kind       text NOT NULL CHECK (kind IN ('request', 'escalation')),
    subject_id bigint NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id),
    added_by   bigint NOT NULL REFERENCES users (id),
    added_at   timestamptz NOT NULL,
    PRIMARY KEY (kind, subject_id, user_id)
);
CREATE INDEX followers_user ON followers (user_id);
