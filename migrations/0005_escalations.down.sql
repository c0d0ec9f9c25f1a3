DROP TABLE IF EXISTS escalations;
