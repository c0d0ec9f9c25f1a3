DROP INDEX IF EXISTS escalations_statement_owed;
