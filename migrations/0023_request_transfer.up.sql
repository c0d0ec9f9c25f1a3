-- A request passed on by its holder's head to the unit it belongs to (转交, issue 15):
-- the unit first asked, while the lead may still send it back, and why it was passed.
ALTER TABLE requests ADD COLUMN transferred_from_unit_id bigint REFERENCES units (id);
ALTER TABLE requests ADD COLUMN transfer_reason text NOT NULL DEFAULT '';
