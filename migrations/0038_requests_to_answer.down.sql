DROP INDEX requests_to_answer;
