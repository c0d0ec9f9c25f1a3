-- Advice (加签, issue 15): a superior asks people outside an escalation for an
-- opinion before deciding. An opinion, once given, stands as written; the decision's
-- frozen record carries the advice as it was when decided.
CREATE TABLE escalation_advice (
    escalation_id    bigint NOT NULL REFERENCES escalations (id),
    adviser_user_id  bigint NOT NULL REFERENCES users (id),
    asked_by_user_id bigint NOT NULL REFERENCES users (id),
    question         text NOT NULL DEFAULT '',
    asked_at         timestamptz NOT NULL,
    opinion          text NOT NULL DEFAULT '',
    given_at         timestamptz,
    PRIMARY KEY (escalation_id, adviser_user_id)
);
CREATE INDEX escalation_advice_adviser ON escalation_advice (adviser_user_id);
