-- The escalation loop keeps its record (issue 12).
-- party_decides: nobody above both units is free of the case, so a party decides (at
-- the top of the tree only); every page says so. direct: recorded by a lead who is
-- the superior both units share, from the request page, without going up.
-- record_raised / record_decided: the facts the brief is written from, frozen when the
-- escalation is raised (or refreshed by the lead while pending) and when decided, as
-- language-neutral JSON (accord.BriefFacts) rendered in the reader's language.
ALTER TABLE escalations
    ADD COLUMN party_decides boolean NOT NULL DEFAULT false,
    ADD COLUMN direct boolean NOT NULL DEFAULT false,
    ADD COLUMN record_raised jsonb,
    ADD COLUMN record_decided jsonb;

-- Once per cause holds for escalations that go up; a lead's direct decisions are not
-- going anywhere and may follow one another (a rescope answered by a new decline).
DROP INDEX escalations_once_per_cause;
CREATE UNIQUE INDEX escalations_once_per_cause ON escalations (request_id, cause) WHERE NOT direct;

-- Notifications about an escalation lead to it; a decision's outcome and reason are
-- kept in data as they were when sent.
ALTER TABLE notifications ADD COLUMN escalation_id bigint REFERENCES escalations (id);
-- Whoever was told of an escalation may open it later (accord.EscalationParty.Told).
CREATE INDEX notifications_escalation ON notifications (escalation_id, user_id) WHERE escalation_id IS NOT NULL;

-- A phase split from a need (the "phase it" strategy) remembers where it came from.
ALTER TABLE needs ADD COLUMN phase_of_need_id bigint REFERENCES needs (id);
CREATE INDEX needs_phase_of ON needs (phase_of_need_id) WHERE phase_of_need_id IS NOT NULL;

-- Parties find the escalations that involve them through these.
CREATE INDEX escalations_request ON escalations (request_id, id DESC);
CREATE INDEX escalations_decided_at ON escalations (decided_at DESC, id DESC) WHERE status = 'decided';
