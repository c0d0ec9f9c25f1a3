-- Performance (issue 18): a head's start page finds what waits on the head's units
-- from the units' requests, and needs only the requests' ids to do so.
--
-- The escalations still owed the unit's statement are found through the unit's
-- requests, but requests_holder_project held no ids, so every request of the unit was
-- read from the table: 4,304 requests on 3,254 pages for a shared service, to find 383
-- escalations. It now carries the id.
CREATE INDEX requests_holder_project_ids ON requests (holder_unit_id, project_id) INCLUDE (id);
DROP INDEX requests_holder_project;
ALTER INDEX requests_holder_project_ids RENAME TO requests_holder_project;

-- requests_to_answer (migration 0038) ranked the requests waiting for an answer but
-- lacked their ids, so each was still read from the table (616 pages for 641).
CREATE INDEX requests_to_answer_ids ON requests (holder_unit_id) INCLUDE (id, queue_tier, sent_at, created_at)
    WHERE state = 'requested';
DROP INDEX requests_to_answer;
ALTER INDEX requests_to_answer_ids RENAME TO requests_to_answer;
