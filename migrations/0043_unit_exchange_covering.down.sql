ALTER TABLE unit_exchange RESET (autovacuum_vacuum_scale_factor);
ALTER TABLE unit_exchange DROP CONSTRAINT unit_exchange_pkey, ADD PRIMARY KEY (holder_unit_id, owner_unit_id);
DROP INDEX unit_exchange_owner;
CREATE INDEX unit_exchange_owner ON unit_exchange (owner_unit_id, holder_unit_id);
