-- Sign-in with two factors and no shared secrets: TOTP second factors, single-use
-- recovery codes, single-use links by which people choose their own password, and
-- throttling that tells password, code and reset attempts apart.

-- A municipality's coordinators may require a second factor of its mentors and parent
-- coaches too (national staff and coordinators always need one).
ALTER TABLE municipalities ADD COLUMN require_second_factor boolean NOT NULL DEFAULT false;

-- An account whose owner has not chosen a password has password_hash '' (no password
-- matches it). Temporary passwords are gone: those still outstanding stop working here,
-- and their owners get a link from their coordinator or use "forgot password".
UPDATE users SET password_hash = '', must_change_password = false,
                 session_generation = session_generation + 1
 WHERE must_change_password;
COMMENT ON COLUMN users.must_change_password IS
    'The password was found among common breached passwords at login: the user must choose another before anything else.';

-- A new account, and an account whose second factor was reset, must set one up before
-- it does anything else, whether or not its role or municipality requires one.
ALTER TABLE users ADD COLUMN enrol_second_factor boolean NOT NULL DEFAULT false;

-- The TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) of one user. confirmed_at is NULL while
-- enrolment waits for its first code. last_step is the newest time step accepted: a code
-- of that step or an earlier one is refused, so each code works once.
CREATE TABLE second_factors (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    secret bytea NOT NULL CHECK (length(secret) BETWEEN 16 AND 64),
    confirmed_at timestamptz,
    last_step bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Ten single-use codes for when the phone is lost, stored as argon2id hashes.
CREATE TABLE recovery_codes (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    code_hash text NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id) WHERE used_at IS NULL;

-- Links by mail to choose a password: 'setup' for a new account or one whose password a
-- coordinator or national staff reset (72 hours), 'reset' for "forgot password" (1 hour).
-- Only the SHA-256 of the token is stored; the token itself exists only in the mail.
CREATE TABLE account_links (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    purpose text NOT NULL CHECK (purpose IN ('setup', 'reset')),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX account_links_user_idx ON account_links (user_id) WHERE used_at IS NULL;

-- Who may see and change a user's second factor and links: the user, national staff, and
-- the coordinators of a municipality the user belongs to (which role may do what is
-- checked by the feature; row-level security keeps every other municipality out).
CREATE FUNCTION app_manages_user(target uuid) RETURNS boolean LANGUAGE sql STABLE
SET search_path = public, pg_temp AS $$
    SELECT target = app_user_id()
        OR app_is_national()
        OR EXISTS (SELECT 1 FROM memberships m
                    WHERE m.user_id = target AND m.municipality_id = app_municipality_id())
$$;
GRANT EXECUTE ON FUNCTION app_manages_user(uuid) TO korps_app;

ALTER TABLE second_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE second_factors FORCE ROW LEVEL SECURITY;
-- The secret and the codes are read and written by their owner only; others may only
-- reset them, through reset_second_factor below.
CREATE POLICY second_factors_own ON second_factors
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY recovery_codes_own ON recovery_codes
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

ALTER TABLE account_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_links FORCE ROW LEVEL SECURITY;
CREATE POLICY account_links_manage ON account_links
    USING (app_manages_user(user_id)) WITH CHECK (app_manages_user(user_id));

GRANT SELECT, INSERT, UPDATE, DELETE ON second_factors, recovery_codes TO korps_app;
GRANT SELECT, INSERT, UPDATE ON account_links TO korps_app;

-- A link is redeemed before anyone is signed in: this answers, for a token's hash, whose
-- link it is and whether it still works, and nothing else.
CREATE FUNCTION account_link(hash bytea)
RETURNS TABLE (link_id uuid, user_id uuid, purpose text, usable boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT l.id, l.user_id, l.purpose,
           l.used_at IS NULL AND l.expires_at > now() AND u.active
      FROM account_links l JOIN users u ON u.id = l.user_id
     WHERE l.token_hash = hash
$$;
GRANT EXECUTE ON FUNCTION account_link(bytea) TO korps_app;

-- Whether a user has a confirmed second factor, for those who manage the user (the secret
-- itself stays readable by its owner alone).
CREATE FUNCTION second_factor_enrolled(target uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT app_manages_user(target)
       AND EXISTS (SELECT 1 FROM second_factors
                    WHERE user_id = target AND confirmed_at IS NOT NULL)
$$;
GRANT EXECUTE ON FUNCTION second_factor_enrolled(uuid) TO korps_app;

-- Removes a user's second factor and recovery codes, for the user or those who manage
-- them (which role may is checked by the feature); false when the caller may not.
CREATE FUNCTION reset_second_factor(target uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT app_manages_user(target) THEN
        RETURN false;
    END IF;
    DELETE FROM recovery_codes WHERE user_id = target;
    DELETE FROM second_factors WHERE user_id = target;
    UPDATE users SET enrol_second_factor = true WHERE id = target;
    RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION reset_second_factor(uuid) TO korps_app;

-- "Forgot password" before anyone is signed in: the active account with this e-mail, if any.
CREATE FUNCTION account_for_email(address text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM users WHERE lower(email) = lower(address) AND active
$$;
GRANT EXECUTE ON FUNCTION account_for_email(text) TO korps_app;

-- Throttling tells the kinds of attempt apart: 'password' (account = the e-mail typed),
-- 'code' (account = the user's id) and 'reset' (account = the e-mail typed). client_addr
-- holds the client's network: an IPv4 address, or an IPv6 /64.
ALTER TABLE login_attempts
    ADD COLUMN kind text NOT NULL DEFAULT 'password' CHECK (kind IN ('password', 'code', 'reset'));
DROP INDEX login_attempts_account_idx;
DROP INDEX login_attempts_addr_idx;
CREATE INDEX login_attempts_account_idx ON login_attempts (kind, account, at);
CREATE INDEX login_attempts_addr_idx ON login_attempts (kind, client_addr, at);

-- Account mails (a setup or reset link) go through the outbox like every other mail. Their
-- body holds a live link until sent; the sender blanks it once sent.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('digest', 'account_setup', 'account_reset') OR kind = ANY (notice_kinds()));
