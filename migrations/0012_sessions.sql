-- Sessions (issue 12, point 5): where each user is logged in, and the key that signs the
-- CSRF tokens of visitors who are not logged in (they get no session row).

-- One row per signed-in session, for the account page's list ("Her er du logget ind")
-- and for "Log de andre ud": a session whose row is gone has ended. A row counts only
-- while its generation is the user's (a password change, a second-factor reset or a
-- deactivation moves the generation on and so ends every session). Only a short name of
-- the browser and the system is kept, never the whole User-Agent; the network is the
-- client's IPv4 address or IPv6 /64.
CREATE TABLE user_sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    generation integer NOT NULL,
    browser text NOT NULL DEFAULT '' CHECK (length(browser) <= 40),
    platform text NOT NULL DEFAULT '' CHECK (length(platform) <= 40),
    network inet,
    started_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_last_seen_idx ON user_sessions (last_seen_at);

-- A user sees and ends only their own sessions; the background worker purges ended ones.
ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY user_sessions_own ON user_sessions
    USING (user_id = app_user_id())
    WITH CHECK (user_id = app_user_id());
CREATE POLICY user_sessions_purge ON user_sessions
    USING (app_is_job());
GRANT SELECT, INSERT, UPDATE, DELETE ON user_sessions TO korps_app;

-- The worker's purge of ended sessions compares them with their users, whom the worker
-- may not read (row-level security on users): this does it as the definer, for the worker
-- only, and answers only how many rows went.
CREATE FUNCTION purge_ended_sessions(idle_seconds double precision, absolute_seconds double precision)
RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH gone AS (
        DELETE FROM user_sessions s USING users u
         WHERE app_is_job() AND u.id = s.user_id
           AND (NOT u.active OR s.generation <> u.session_generation
                OR s.last_seen_at < now() - make_interval(secs => idle_seconds)
                OR s.started_at < now() - make_interval(secs => absolute_seconds))
        RETURNING 1)
    SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION purge_ended_sessions(double precision, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_ended_sessions(double precision, double precision) TO korps_app;

-- Server-side keys. `anonymous_csrf` signs the CSRF token of a visitor's form (the login
-- page): the token is an HMAC of a random value in the visitor's cookie, so showing the
-- login page stores nothing. 32 bytes from PostgreSQL's strong random source, made once
-- per database, so that every instance of Korps on it agrees. Replacing the key makes
-- open login forms answer 403 once.
CREATE TABLE server_keys (
    purpose text PRIMARY KEY,
    key bytea NOT NULL CHECK (length(key) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_keys (purpose, key)
VALUES ('anonymous_csrf', sha256(convert_to(
    gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));
GRANT SELECT ON server_keys TO korps_app;
