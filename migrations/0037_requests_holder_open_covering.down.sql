CREATE INDEX requests_holder_open_plain ON requests (holder_unit_id)
    WHERE state IN ('requested', 'agreed', 'countered', 'in_progress');
DROP INDEX requests_holder_open;
ALTER INDEX requests_holder_open_plain RENAME TO requests_holder_open;
