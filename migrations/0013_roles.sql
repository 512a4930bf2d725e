-- Database roles (issue 12, point 6). Three roles, none of which can bypass row-level
-- security at run time (docs/deployment.md, "Database roles"):
--
--   the owner      runs the migrations and owns the tables (the role this runs as);
--   korps_app      the server logs in as it: no superuser, no BYPASSRLS, owns nothing;
--   korps_definer  NOLOGIN; owns every SECURITY DEFINER function, and nothing else runs
--                  as it. Row-level security applies to it too (FORCE): its policies
--                  below let it read what the functions read, while each function
--                  checks the transaction's scope itself.
--
-- Before this migration the server connected as the owner and switched to korps_app
-- with SET ROLE, and the definer functions ran as the owner, a superuser that skipped
-- row-level security. Nothing here needs a superuser: an owner with CREATEROLE (or roles
-- created beforehand by a DBA) is enough.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'korps_definer') THEN
        CREATE ROLE korps_definer NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    -- korps_app logs in itself. A DBA may have created it with LOGIN (and a password)
    -- already; the owner then needs no right to change it.
    IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'korps_app') THEN
        ALTER ROLE korps_app LOGIN;
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        -- Giving a function to korps_definer takes membership in it.
        IF NOT pg_has_role(current_user, 'korps_definer', 'MEMBER') THEN
            EXECUTE format('GRANT korps_definer TO %I', current_user);
        END IF;
        -- The owner no longer switches to korps_app (0001 made it a member for SET ROLE).
        IF pg_has_role(current_user, 'korps_app', 'MEMBER') THEN
            BEGIN
                EXECUTE format('REVOKE korps_app FROM %I', current_user);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'could not revoke korps_app from %: granted by someone else', current_user;
            END;
        END IF;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO korps_definer;

-- Users get row-level security like every tenant table. Each scope sees the accounts it
-- works with and no others; before login (Scope::Anonymous) none at all — the login reads
-- an account through login_account() below.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
-- One's own account: the name in the header, the password, language and mail choices.
CREATE POLICY users_own ON users FOR SELECT USING (id = app_user_id());
CREATE POLICY users_own_update ON users FOR UPDATE
    USING (id = app_user_id()) WITH CHECK (id = app_user_id());
-- National staff keep the corps roster and create municipalities' first coordinators.
CREATE POLICY users_national ON users
    USING (app_is_national()) WITH CHECK (app_is_national());
-- A municipality sees its staff, the corps members it sees (corps_members' own policies:
-- its own and those lent to it), and whoever wrote in its audit log (a loan partner's
-- coordinator, national staff).
CREATE POLICY users_municipality_read ON users FOR SELECT
    USING (app_municipality_id() IS NOT NULL
           AND (id IN (SELECT m.user_id FROM memberships m WHERE m.municipality_id = app_municipality_id())
                OR id IN (SELECT cm.user_id FROM corps_members cm)
                OR EXISTS (SELECT 1 FROM audit_log a
                           WHERE a.municipality_id = app_municipality_id() AND a.actor_id = users.id)));
-- A coordinator creates accounts (the membership follows in the same transaction) and
-- changes those of the municipality's staff (which role may change what, and that name,
-- e-mail and status only of accounts that belong to the municipality alone, is checked by
-- the features: a second factor reset ends the sessions of anyone who works here).
CREATE POLICY users_municipality_create ON users FOR INSERT
    WITH CHECK (app_municipality_id() IS NOT NULL);
CREATE POLICY users_municipality_update ON users FOR UPDATE
    USING (app_municipality_id() IS NOT NULL
           AND id IN (SELECT m.user_id FROM memberships m WHERE m.municipality_id = app_municipality_id()))
    WITH CHECK (app_municipality_id() IS NOT NULL
                AND id IN (SELECT m.user_id FROM memberships m WHERE m.municipality_id = app_municipality_id()));

-- The login finds the account by its e-mail before any tenant is known: this much of it
-- and nothing else.
CREATE FUNCTION login_account(p_email text)
RETURNS TABLE (id uuid, password_hash text, active boolean, session_generation integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash, u.active, u.session_generation
    FROM users u WHERE lower(u.email) = lower(p_email)
$$;
REVOKE ALL ON FUNCTION login_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_account(text) TO korps_app;

-- E-mail addresses are unique across Korps, but a coordinator sees only some accounts:
-- whether an address is taken (by anyone but `p_except`), for the message beside the field.
CREATE FUNCTION user_email_taken(p_email text, p_except uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM users u
                   WHERE lower(u.email) = lower(p_email) AND u.id IS DISTINCT FROM p_except
                     AND (app_municipality_id() IS NOT NULL OR app_is_national()))
$$;
REVOKE ALL ON FUNCTION user_email_taken(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION user_email_taken(text, uuid) TO korps_app;

-- What korps_definer is given, for everything in the schema so far. A later migration
-- that adds a SECURITY DEFINER function or a table a definer function reads ends with
-- `CALL korps_definer_setup();`. It is idempotent.
--   * Every SECURITY DEFINER function: search_path `public, pg_temp` (pg_temp last, so a
--     caller's temporary objects cannot stand in for ours), owned by korps_definer.
--   * korps_definer reads every table and writes what korps_app may write, and a policy
--     `<table>_definer` (TO korps_definer only) lets it past row-level security: the
--     functions see across tenants, as they did when their owner skipped RLS, and check
--     the scope themselves.
--   * It may call every function in the schema (some are revoked from PUBLIC, e.g.
--     evaluation_consented, and called by definer functions).
CREATE PROCEDURE korps_definer_setup() LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    may_create boolean := has_schema_privilege('korps_definer', 'public', 'CREATE');
BEGIN
    FOR r IN
        SELECT c.oid::regclass AS tab, c.relname, c.relrowsecurity
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO korps_definer', r.tab);
        IF r.relrowsecurity AND NOT EXISTS (
            SELECT 1 FROM pg_policy p WHERE p.polrelid = r.tab AND p.polname = r.relname || '_definer')
        THEN
            EXECUTE format('CREATE POLICY %I ON %s TO korps_definer USING (true) WITH CHECK (true)',
                           r.relname || '_definer', r.tab);
        END IF;
    END LOOP;
    -- The writes korps_app may do (table-wide grants; column grants are not copied).
    FOR r IN
        SELECT c.oid::regclass AS tab, a.privilege_type
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND a.grantee = 'korps_app'::regrole AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE')
    LOOP
        EXECUTE format('GRANT %s ON %s TO korps_definer', r.privilege_type, r.tab);
    END LOOP;
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO korps_definer;

    -- A new owner must be allowed to create in the function's schema (unless the one
    -- giving is a superuser); the right is only lent for the hand-over.
    IF NOT may_create THEN
        GRANT CREATE ON SCHEMA public TO korps_definer;
    END IF;
    FOR r IN
        SELECT p.oid::regprocedure AS fn, p.proowner
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', r.fn);
        IF r.proowner <> 'korps_definer'::regrole THEN
            EXECUTE format('ALTER FUNCTION %s OWNER TO korps_definer', r.fn);
        END IF;
    END LOOP;
    IF NOT may_create THEN
        REVOKE CREATE ON SCHEMA public FROM korps_definer;
    END IF;
END
$$;
REVOKE ALL ON PROCEDURE korps_definer_setup() FROM PUBLIC;

CALL korps_definer_setup();
