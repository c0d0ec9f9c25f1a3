-- The zone a person reads times in, as an IANA name (Asia/Shanghai). NULL follows
-- the company's zone (ACCORD_TIME_ZONE). The application checks the name against
-- the zones it offers.
ALTER TABLE users ADD COLUMN time_zone text
    CONSTRAINT users_time_zone_shape CHECK (time_zone <> '' AND length(time_zone) <= 64);
