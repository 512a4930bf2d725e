-- Next meetings and the member's private calendar feed (issue 11, point 5).
-- A course carries its planned next meeting: when, how long, and where in general terms
-- ("Biblioteket", "Jobcentret") — never a citizen's address. The feed is an ICS address
-- with a secret token; only the token's SHA-256 is stored.

ALTER TABLE courses
    ADD COLUMN next_meeting_at timestamptz,
    ADD COLUMN next_meeting_minutes smallint CHECK (next_meeting_minutes BETWEEN 15 AND 480),
    ADD COLUMN next_meeting_place text NOT NULL DEFAULT '' CHECK (length(next_meeting_place) <= 100),
    ADD CONSTRAINT courses_next_meeting_whole CHECK ((next_meeting_at IS NULL) = (next_meeting_minutes IS NULL));

-- One feed per user. Replacing it (a new token) makes the old address answer 404.
CREATE TABLE calendar_feeds (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_read_at timestamptz
);

-- A user sees, creates, replaces and revokes only their own feed.
ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY calendar_feeds_own ON calendar_feeds
    USING (user_id = app_user_id())
    WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_feeds TO korps_app;

-- A feed ends with the sessions: a password change, a reset or a deactivation (each moves
-- the session generation on) revokes it, so an address made by whoever held the account
-- before stops answering.
CREATE FUNCTION calendar_feeds_end_with_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    DELETE FROM calendar_feeds WHERE user_id = NEW.id;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_end_calendar_feeds AFTER UPDATE OF session_generation, active ON users
    FOR EACH ROW
    WHEN (NEW.session_generation IS DISTINCT FROM OLD.session_generation OR NOT NEW.active)
    EXECUTE FUNCTION calendar_feeds_end_with_sessions();

-- The public feed has no session: it resolves a token's hash to its (active) user and
-- nothing else, then reads as that user.
CREATE FUNCTION calendar_feed_user(hash bytea) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id AND u.active
    WHERE f.token_hash = hash
$$;
REVOKE ALL ON FUNCTION calendar_feed_user(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_feed_user(bytea) TO korps_app;

-- The next meeting is set by whoever may log a session on the course, a lent member too.
-- A lent member may read the loan's course but not update it (the loan policy is
-- SELECT only); this writes the three next-meeting columns and nothing else, for a
-- course of the transaction's municipality or one of the user's current loans.
CREATE FUNCTION set_course_next_meeting(p_course uuid, p_at timestamptz, p_minutes smallint, p_place text)
RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH changed AS (
        UPDATE courses
        SET next_meeting_at = p_at, next_meeting_minutes = p_minutes,
            next_meeting_place = coalesce(p_place, ''), updated_at = now()
        WHERE id = p_course AND app_municipality_id() IS NOT NULL
          AND (municipality_id = app_municipality_id() OR id IN (SELECT app_loan_courses()))
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM changed)
$$;
REVOKE ALL ON FUNCTION set_course_next_meeting(uuid, timestamptz, smallint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION set_course_next_meeting(uuid, timestamptz, smallint, text) TO korps_app;
