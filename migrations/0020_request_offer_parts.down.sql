ALTER TABLE requests DROP COLUMN offer_we_give, DROP COLUMN offer_they_get, DROP COLUMN offer_proposal;
