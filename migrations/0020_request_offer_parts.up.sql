-- The offer a request carries, part by part as the send page labels it: what the
-- project gives, what the unit gets, the proposal. `offer` keeps the three joined, as
-- before; requests sent before this migration have only that.
ALTER TABLE requests
    ADD COLUMN offer_we_give text NOT NULL DEFAULT '',
    ADD COLUMN offer_they_get text NOT NULL DEFAULT '',
    ADD COLUMN offer_proposal text NOT NULL DEFAULT '';
