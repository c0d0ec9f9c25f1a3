CREATE INDEX requests_to_answer_plain ON requests (holder_unit_id) INCLUDE (queue_tier, sent_at, created_at)
    WHERE state = 'requested';
DROP INDEX requests_to_answer;
ALTER INDEX requests_to_answer_plain RENAME TO requests_to_answer;

CREATE INDEX requests_holder_project_plain ON requests (holder_unit_id, project_id);
DROP INDEX requests_holder_project;
ALTER INDEX requests_holder_project_plain RENAME TO requests_holder_project;
