-- Adds one statement trigger: it holds no table for longer than a moment.
-- A unit's page (kept rendered since 0052) lists its members with their addresses, so
-- a change of address moves the organisation's epoch, as a change of name does (0047).
CREATE TRIGGER users_org_epoch_email AFTER UPDATE OF email ON users
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
