-- Open statistics (issue 14, points 4 and 5): the API tokens with which national staff let
-- the centre's annual report and open-data users read the national figures
-- (`/api/v1/statistik`), and the courses per year for the corps' trend over years.

-- A token is 32 random bytes shown once as 64 hex digits; only its SHA-256 is stored.
-- Revoked tokens are kept (revoked_at) so the list says when; they are never deleted.
CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- National staff see, create, use and revoke only their own tokens, and only in a
-- national transaction; no one else sees any.
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_own ON api_tokens
    USING (user_id = app_user_id() AND app_is_national())
    WITH CHECK (user_id = app_user_id() AND app_is_national());
GRANT SELECT, INSERT, UPDATE ON api_tokens TO korps_app;

-- A token ends with the account: a deactivation, a password change or reset, or a reset
-- of the second factor (each moves the session generation on) revokes the user's tokens,
-- as it ends their sessions and calendar feed.
CREATE FUNCTION api_tokens_end_with_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE api_tokens SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_end_api_tokens AFTER UPDATE OF session_generation, active ON users
    FOR EACH ROW
    WHEN (NEW.session_generation IS DISTINCT FROM OLD.session_generation OR NOT NEW.active)
    EXECUTE FUNCTION api_tokens_end_with_sessions();

-- A request with a token has no session: this resolves a token's hash to its user — only
-- an active user who is national staff, and only while the token is not revoked — and
-- answers nothing else. The request then reads as that user in a national transaction.
CREATE FUNCTION api_token_user(hash bytea) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id AND u.active
    WHERE t.token_hash = hash AND t.revoked_at IS NULL
      AND EXISTS (SELECT 1 FROM memberships m
                  WHERE m.user_id = t.user_id AND m.municipality_id IS NULL
                    AND 'national' = ANY (m.roles))
$$;
REVOKE ALL ON FUNCTION api_token_user(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_token_user(bytea) TO korps_app;

-- Courses of a kind (or all, '') by the year they were referred, per municipality: the
-- corps' trend over years. Counts only, to a national transaction only; suppressed where
-- shown, after the chosen municipalities are added up.
CREATE FUNCTION national_courses_per_year(p_kind text)
RETURNS TABLE (municipality_id uuid, year integer, courses bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.municipality_id, extract(year FROM c.referred_on)::integer, count(*)
    FROM courses c
    WHERE app_is_national() AND (p_kind = '' OR c.kind = p_kind)
    GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION national_courses_per_year(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION national_courses_per_year(text) TO korps_app;

CALL korps_definer_setup();
