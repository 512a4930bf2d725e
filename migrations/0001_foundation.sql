-- Korps foundation: municipalities (tenants), users and their memberships, sessions,
-- login attempts, form idempotency keys, and the append-only audit log.
-- Runtime queries run as korps_app, which row-level security applies to.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'korps_app') THEN
        CREATE ROLE korps_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    -- The owner (who runs migrations) switches to korps_app with SET ROLE at runtime.
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT korps_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO korps_app;

-- The settings the tenant-scoped transaction sets (transaction-local), read by policies.
CREATE FUNCTION app_municipality_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid $$;
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;
CREATE FUNCTION app_is_national() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.national', true), '') = 'on' $$;

CREATE TABLE municipalities (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 2 AND 100),
    -- The official three-digit municipality code (kommunekode), e.g. 751 for Aarhus.
    code smallint NOT NULL CHECK (code BETWEEN 100 AND 999),
    region text NOT NULL CHECK (region IN ('hovedstaden', 'sjaelland', 'syddanmark', 'midtjylland', 'nordjylland')),
    -- Closed courses are anonymised after this many years (PRODUCT.md: default 5).
    retention_years smallint NOT NULL DEFAULT 5 CHECK (retention_years BETWEEN 1 AND 20),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX municipalities_name_key ON municipalities (lower(name));
CREATE UNIQUE INDEX municipalities_code_key ON municipalities (code);

-- Names, codes and regions are public; only national staff add municipalities, and a
-- municipality's own coordinators change its settings.
ALTER TABLE municipalities ENABLE ROW LEVEL SECURITY;
ALTER TABLE municipalities FORCE ROW LEVEL SECURITY;
CREATE POLICY municipalities_read ON municipalities FOR SELECT USING (true);
CREATE POLICY municipalities_national_insert ON municipalities FOR INSERT WITH CHECK (app_is_national());
CREATE POLICY municipalities_update ON municipalities FOR UPDATE
    USING (app_is_national() OR id = app_municipality_id());

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email LIKE '%_@_%' AND length(email) <= 254),
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    locale text NOT NULL DEFAULT 'da' CHECK (locale IN ('da', 'en')),
    -- Set when a coordinator resets the password: the user picks their own at next login.
    must_change_password boolean NOT NULL DEFAULT false,
    -- Counts password changes and deactivations: a session remembers the generation it
    -- started in and ends when the generation has moved on.
    session_generation integer NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- A user's place in Korps: national staff (no municipality) or staff of one municipality
-- with one or more roles.
CREATE TABLE memberships (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    municipality_id uuid REFERENCES municipalities (id),
    roles text[] NOT NULL CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['national', 'coordinator', 'mentor', 'parent_coach']
    ),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memberships_national_has_no_municipality CHECK (
        (municipality_id IS NULL AND roles = ARRAY['national'])
        OR (municipality_id IS NOT NULL AND NOT ('national' = ANY (roles)))
    )
);
CREATE UNIQUE INDEX memberships_user_municipality_key
    ON memberships (user_id, coalesce(municipality_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX memberships_municipality_idx ON memberships (municipality_id);

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
CREATE POLICY memberships_own ON memberships FOR SELECT
    USING (user_id = app_user_id());
-- National staff create municipalities' first coordinators and keep the corps roster.
CREATE POLICY memberships_national ON memberships
    USING (app_is_national())
    WITH CHECK (app_is_national());

-- Failed and successful login attempts, for throttling. `account` is the lower-cased
-- e-mail that was typed; rows older than a day are deleted.
CREATE TABLE login_attempts (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    account text NOT NULL,
    client_addr inet,
    succeeded boolean NOT NULL
);
CREATE INDEX login_attempts_account_idx ON login_attempts (account, at);
CREATE INDEX login_attempts_addr_idx ON login_attempts (client_addr, at);

-- One record per form submission: a repeated POST of the same form (double click,
-- reload) finds its key and is sent where the first one went.
CREATE TABLE form_submissions (
    key uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    location text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The append-only audit log: who, when, what, which record, from which address, why.
-- Details never hold citizen data, only ids and field names.
CREATE TABLE audit_log (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    municipality_id uuid REFERENCES municipalities (id),
    actor_id uuid REFERENCES users (id),
    action text NOT NULL,
    subject_type text,
    subject_id uuid,
    purpose text,
    client_addr inet,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_municipality_at_idx ON audit_log (municipality_id, at DESC);
CREATE INDEX audit_log_municipality_actor_idx ON audit_log (municipality_id, actor_id, at DESC);
CREATE INDEX audit_log_municipality_action_idx ON audit_log (municipality_id, action, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_tenant_read ON audit_log FOR SELECT
    USING (municipality_id = app_municipality_id());
CREATE POLICY audit_log_national_read ON audit_log FOR SELECT
    USING (app_is_national() AND municipality_id IS NULL);
-- Anyone may append: an entry about their own municipality, a national one, or (at
-- login, before any tenant is chosen) one about the account that tried to log in.
CREATE POLICY audit_log_append ON audit_log FOR INSERT
    WITH CHECK (
        municipality_id IS NULL
        OR municipality_id = app_municipality_id()
        OR app_is_national()
        OR municipality_id IN (SELECT m.municipality_id FROM memberships m WHERE m.user_id = actor_id)
    );

-- Sessions (tower-sessions' PostgreSQL store; same shape as its own migration).
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id text PRIMARY KEY NOT NULL,
    data bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX session_expiry_idx ON tower_sessions.session (expiry_date);

GRANT SELECT, INSERT, UPDATE ON municipalities, users, memberships TO korps_app;
GRANT SELECT, INSERT, DELETE ON login_attempts TO korps_app;
GRANT SELECT, INSERT ON audit_log TO korps_app;
GRANT SELECT, INSERT, UPDATE ON form_submissions TO korps_app;
GRANT USAGE ON SCHEMA tower_sessions TO korps_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO korps_app;
