-- Creates one empty table and its triggers: it holds no table for longer than the
-- ALTERs that add a trigger take (a moment, at any scale).
-- A stamp per person, moved by every write that can change what store.ViewerAt reads
-- for them apart from the clock, their unread count and their stand-in arrangements:
-- their user row, the units they head and those units' children, their memberships
-- and those units' names, heads and places, the projects they lead, the requests they
-- are key person for, and the making or ending of an arrangement they are in. Each
-- server keeps the viewers it has read with the stamp read in the same statement, and
-- uses one again only while the stamp is unchanged (store/viewer_cache.go): one row by
-- key instead of the whole statement, on every request. A person with no row has
-- stamp 0. A viewer in an arrangement running at the time is never kept, so what an
-- arrangement shows of the other person (their name, the units they head) needs no
-- stamp: moving the partners' stamps from a trigger raced with a concurrent
-- arrangement.
--
-- Stamps only ever grow and may move when nothing they guard changed: a write moves
-- them for everyone it might concern, never fewer. No foreign key: a deleted person's
-- stamp is moved as they go, so a server holding them reads them again and finds
-- nobody.
--
-- The people a trigger reads from other rows (a unit's members, its parent's head)
-- are read after the write's own row locks, which writes that would change them
-- conflict with: updateUnit locks the unit FOR UPDATE, AddMembership its unit FOR
-- SHARE, MoveUnit and CloseUnit the parent they leave FOR SHARE. A statement takes all
-- its stamps in one go, in order of the people's ids; a transaction that moves stamps
-- in two statements can still deadlock with another doing the same in the other
-- order, which PostgreSQL breaks by failing one of them.
CREATE TABLE viewer_stamps (
    user_id bigint PRIMARY KEY,
    stamp   bigint NOT NULL
);

-- The triggers are named to fire after every other trigger on their tables (triggers
-- fire in name order), so a statement takes the kept counts' locks first, as before
-- this table.
CREATE FUNCTION move_viewer_stamps(people bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO viewer_stamps AS v (user_id, stamp)
    SELECT DISTINCT id, 1 FROM unnest(people) id WHERE id IS NOT NULL ORDER BY id
    ON CONFLICT (user_id) DO UPDATE SET stamp = v.stamp + 1
$$;

CREATE FUNCTION users_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    people bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(n.id) INTO people FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE ROW(o.*) IS DISTINCT FROM ROW(n.*);
    ELSE
        SELECT array_agg(id) INTO people FROM old_rows;
    END IF;
    IF people IS NOT NULL THEN
        PERFORM move_viewer_stamps(people);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_zz_viewer_stamps_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION users_move_viewer_stamps();
CREATE TRIGGER users_zz_viewer_stamps_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION users_move_viewer_stamps();

-- A unit changed: its heads before and after (whether they head), the heads of its
-- parents before and after (whether they head a unit with open units below it), and
-- its members (their units' names, heads and order).
CREATE FUNCTION units_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
    heads bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(n.id) INTO changed FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE ROW(o.*) IS DISTINCT FROM ROW(n.*);
        SELECT array_agg(h) INTO heads FROM (
            SELECT head_user_id AS h FROM new_rows WHERE id = ANY (changed)
            UNION SELECT head_user_id FROM old_rows WHERE id = ANY (changed)
            UNION SELECT u.head_user_id FROM units u
                WHERE u.id IN (SELECT parent_id FROM new_rows WHERE id = ANY (changed)
                    UNION SELECT parent_id FROM old_rows WHERE id = ANY (changed))) x;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(id) INTO changed FROM new_rows;
        SELECT array_agg(h) INTO heads FROM (
            SELECT head_user_id AS h FROM new_rows
            UNION SELECT u.head_user_id FROM units u WHERE u.id IN (SELECT parent_id FROM new_rows)) x;
    ELSE
        SELECT array_agg(id) INTO changed FROM old_rows;
        SELECT array_agg(h) INTO heads FROM (
            SELECT head_user_id AS h FROM old_rows
            UNION SELECT u.head_user_id FROM units u WHERE u.id IN (SELECT parent_id FROM old_rows)) x;
    END IF;
    IF changed IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM move_viewer_stamps(COALESCE(heads, '{}')
        || ARRAY(SELECT user_id FROM memberships WHERE unit_id = ANY (changed)));
    RETURN NULL;
END $$;
CREATE TRIGGER units_zz_viewer_stamps_insert AFTER INSERT ON units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_move_viewer_stamps();
CREATE TRIGGER units_zz_viewer_stamps_update AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_move_viewer_stamps();
CREATE TRIGGER units_zz_viewer_stamps_delete AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION units_move_viewer_stamps();

-- The people a changed row names, before and after, for the tables whose rows concern
-- the people they name: a membership its member, a project its lead, a request its key
-- person (whose flag depends on the request's state), an arrangement its two people
-- (whose kept viewers its start and end bound).
-- A project or request update moves stamps only when its lead, or its key person or
-- state, changed.
CREATE FUNCTION memberships_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT user_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT user_id FROM old_rows));
    ELSE
        PERFORM move_viewer_stamps(ARRAY(SELECT user_id FROM new_rows UNION ALL SELECT user_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_zz_viewer_stamps_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_move_viewer_stamps();
CREATE TRIGGER memberships_zz_viewer_stamps_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_move_viewer_stamps();
CREATE TRIGGER memberships_zz_viewer_stamps_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_move_viewer_stamps();

CREATE FUNCTION projects_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT lead_user_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT lead_user_id FROM old_rows));
    ELSE
        PERFORM move_viewer_stamps(ARRAY(
            SELECT unnest(ARRAY[o.lead_user_id, n.lead_user_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.lead_user_id IS DISTINCT FROM n.lead_user_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_zz_viewer_stamps_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_move_viewer_stamps();
CREATE TRIGGER projects_zz_viewer_stamps_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_move_viewer_stamps();
CREATE TRIGGER projects_zz_viewer_stamps_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_move_viewer_stamps();

CREATE FUNCTION requests_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT key_person_user_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT key_person_user_id FROM old_rows));
    ELSE
        PERFORM move_viewer_stamps(ARRAY(
            SELECT unnest(ARRAY[o.key_person_user_id, n.key_person_user_id])
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.key_person_user_id IS NOT NULL OR n.key_person_user_id IS NOT NULL)
              AND (o.key_person_user_id, o.state) IS DISTINCT FROM (n.key_person_user_id, n.state)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER requests_zz_viewer_stamps_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_move_viewer_stamps();
CREATE TRIGGER requests_zz_viewer_stamps_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_move_viewer_stamps();
CREATE TRIGGER requests_zz_viewer_stamps_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_move_viewer_stamps();

CREATE FUNCTION stand_ins_move_viewer_stamps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT unnest(ARRAY[principal_user_id, stand_in_user_id]) FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM move_viewer_stamps(ARRAY(SELECT unnest(ARRAY[principal_user_id, stand_in_user_id]) FROM old_rows));
    ELSE
        PERFORM move_viewer_stamps(ARRAY(
            SELECT unnest(ARRAY[principal_user_id, stand_in_user_id]) FROM new_rows
            UNION ALL SELECT unnest(ARRAY[principal_user_id, stand_in_user_id]) FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stand_ins_zz_viewer_stamps_insert AFTER INSERT ON stand_ins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stand_ins_move_viewer_stamps();
CREATE TRIGGER stand_ins_zz_viewer_stamps_update AFTER UPDATE ON stand_ins
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stand_ins_move_viewer_stamps();
CREATE TRIGGER stand_ins_zz_viewer_stamps_delete AFTER DELETE ON stand_ins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stand_ins_move_viewer_stamps();
