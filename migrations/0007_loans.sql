-- Loans of corps members between municipalities (2015 guide, bilag 1: a municipality
-- lends trained mentors and parent coaches to one that has none free; the receiving
-- municipality pays). A loan is requested by the receiving municipality for one waiting
-- course, forwarded by the national centre to a lending municipality, accepted there
-- with a member (or declined), and ended with a settlement of the hours logged.
--
-- While a loan is agreed and inside its period, the lent member sees exactly that one
-- course of the receiving municipality — its participants, sessions, tools and
-- measurements — and may log sessions and tools on it. Row-level security enforces the
-- exception: the `*_loan` policies below, through app_loan_courses().

CREATE TABLE loans (
    id uuid PRIMARY KEY,
    -- The receiving municipality (it asks, and it pays).
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    -- The waiting course the member is wanted for. Never shown to the lending side or
    -- the national centre, who see only the general terms below.
    course_id uuid NOT NULL REFERENCES courses (id),
    kind text NOT NULL CHECK (kind IN ('mentor', 'parent_coaching')),
    needs text NOT NULL CHECK (length(trim(needs)) BETWEEN 1 AND 2000),
    languages text[] NOT NULL DEFAULT '{}',
    period_from date NOT NULL,
    period_to date NOT NULL,
    hours_per_week numeric(4, 1) NOT NULL CHECK (hours_per_week > 0 AND hours_per_week <= 40),
    state text NOT NULL DEFAULT 'requested' CHECK (state IN
        ('requested', 'forwarded', 'declined', 'agreed', 'ended', 'withdrawn')),
    lending_municipality_id uuid REFERENCES municipalities (id),
    forward_note text NOT NULL DEFAULT '',
    decline_reason text NOT NULL DEFAULT '',
    -- The agreement: the member lent, the compensation per hour (kroner), and when.
    member_id uuid REFERENCES corps_members (id),
    hourly_rate numeric(8, 2) CHECK (hourly_rate >= 0),
    agreed_on date,
    assigned_on date,
    ended_on date,
    -- The settlement, fixed when the loan ends.
    settled_hours numeric(8, 2),
    requested_by uuid NOT NULL REFERENCES users (id),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (period_to >= period_from),
    CHECK (lending_municipality_id IS NULL OR lending_municipality_id <> municipality_id),
    CHECK (state NOT IN ('agreed', 'ended') OR (member_id IS NOT NULL AND hourly_rate IS NOT NULL))
);
CREATE INDEX loans_municipality_idx ON loans (municipality_id, state);
CREATE INDEX loans_lending_idx ON loans (lending_municipality_id, state);
CREATE INDEX loans_member_idx ON loans (member_id, state);
GRANT SELECT, INSERT, UPDATE ON loans TO korps_app;
-- One loan under way per course.
CREATE UNIQUE INDEX loans_one_per_course ON loans (course_id)
    WHERE state IN ('requested', 'forwarded', 'declined', 'agreed');

-- What a loan is for never changes: the lending side may answer a loan, not point it at
-- another course or municipality.
CREATE FUNCTION loans_keep_their_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.course_id <> OLD.course_id OR NEW.municipality_id <> OLD.municipality_id
       OR NEW.requested_by <> OLD.requested_by THEN
        RAISE EXCEPTION 'a loan keeps its course and municipality';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER loans_keep_their_course BEFORE UPDATE ON loans
    FOR EACH ROW EXECUTE FUNCTION loans_keep_their_course();

ALTER TABLE loans ENABLE ROW LEVEL SECURITY;
ALTER TABLE loans FORCE ROW LEVEL SECURITY;
CREATE POLICY loans_receiving ON loans
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
-- The lending municipality reads the request and answers it (accept, decline, end).
CREATE POLICY loans_lending_read ON loans FOR SELECT
    USING (lending_municipality_id = app_municipality_id());
CREATE POLICY loans_lending_answer ON loans FOR UPDATE
    USING (lending_municipality_id = app_municipality_id())
    WITH CHECK (lending_municipality_id = app_municipality_id());
CREATE POLICY loans_national ON loans
    USING (app_is_national()) WITH CHECK (app_is_national());

-- The courses the current user may work on as a lent member: agreed loans of their own
-- member profile, inside the loan's period (Danish dates, whatever the server's zone). SECURITY DEFINER so policies can use it
-- without seeing the loans table themselves.
CREATE FUNCTION app_loan_courses() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT l.course_id FROM loans l JOIN corps_members cm ON cm.id = l.member_id
    JOIN courses c ON c.id = l.course_id AND c.municipality_id = l.municipality_id
    WHERE l.state = 'agreed' AND l.assigned_on IS NOT NULL
      AND cm.user_id = app_user_id() AND cm.municipality_id = app_municipality_id()
      AND (now() AT TIME ZONE 'Europe/Copenhagen')::date BETWEEN l.period_from AND l.period_to
$$;

-- The members lent to the current municipality under an agreed loan: the receiving
-- coordinator sees the lent member's profile (name, languages …) — staff data only.
CREATE FUNCTION app_loan_members() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT l.member_id FROM loans l
    WHERE l.state IN ('agreed', 'ended') AND l.municipality_id = app_municipality_id()
$$;

-- The municipalities the current one has a loan with (either way): each loan step is
-- recorded in both municipalities' audit logs.
CREATE FUNCTION app_loan_partners() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT CASE WHEN l.municipality_id = app_municipality_id() THEN l.lending_municipality_id
                ELSE l.municipality_id END
    FROM loans l
    WHERE l.lending_municipality_id IS NOT NULL
      AND app_municipality_id() IN (l.municipality_id, l.lending_municipality_id)
$$;

REVOKE ALL ON FUNCTION app_loan_courses(), app_loan_members(), app_loan_partners() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_loan_courses(), app_loan_members(), app_loan_partners() TO korps_app;

-- Every row admitted through a loan must also belong to the loan course's own
-- municipality, so a row filed elsewhere that merely points at the course admits nothing.
-- Both subqueries are uncorrelated: PostgreSQL runs them once per query, not per row.
CREATE FUNCTION app_loan_municipalities() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id FROM courses c WHERE c.id IN (SELECT app_loan_courses())
$$;
REVOKE ALL ON FUNCTION app_loan_municipalities() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_loan_municipalities() TO korps_app;

CREATE POLICY courses_loan ON courses FOR SELECT
    USING (id IN (SELECT app_loan_courses()));
CREATE POLICY course_participants_loan ON course_participants FOR SELECT
    USING (course_id IN (SELECT app_loan_courses())
           AND municipality_id IN (SELECT app_loan_municipalities()));
CREATE POLICY citizens_loan ON citizens FOR SELECT
    USING (municipality_id IN (SELECT app_loan_municipalities())
           AND id IN (SELECT p.citizen_id FROM course_participants p
                      WHERE p.course_id IN (SELECT app_loan_courses())));
CREATE POLICY course_sessions_loan ON course_sessions
    USING (course_id IN (SELECT app_loan_courses())
           AND municipality_id IN (SELECT app_loan_municipalities()))
    WITH CHECK (course_id IN (SELECT app_loan_courses())
                AND municipality_id IN (SELECT app_loan_municipalities()));
CREATE POLICY tool_answers_loan ON tool_answers
    USING (course_id IN (SELECT app_loan_courses())
           AND municipality_id IN (SELECT app_loan_municipalities()))
    WITH CHECK (course_id IN (SELECT app_loan_courses())
                AND municipality_id IN (SELECT app_loan_municipalities()));
CREATE POLICY measurements_loan ON measurements
    USING (course_id IN (SELECT app_loan_courses())
           AND municipality_id IN (SELECT app_loan_municipalities()))
    WITH CHECK (course_id IN (SELECT app_loan_courses())
                AND municipality_id IN (SELECT app_loan_municipalities()));
CREATE POLICY course_events_loan ON course_events FOR SELECT
    USING (course_id IN (SELECT app_loan_courses())
           AND municipality_id IN (SELECT app_loan_municipalities()));
CREATE POLICY corps_members_loan ON corps_members FOR SELECT
    USING (id IN (SELECT app_loan_members()));
CREATE POLICY audit_log_loan_append ON audit_log FOR INSERT
    WITH CHECK (actor_id = app_user_id() AND municipality_id IN (SELECT app_loan_partners()));

-- The hours a lent member has logged on the loan's course inside its period, for both
-- municipalities and the national centre (the lending side cannot read the sessions).
CREATE FUNCTION loan_hours(p_loan uuid) RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT coalesce(sum(s.duration_minutes), 0)::numeric / 60
    FROM loans l
    JOIN corps_members cm ON cm.id = l.member_id
    JOIN course_sessions s ON s.course_id = l.course_id AND s.logged_by = cm.user_id
    WHERE l.id = p_loan
      AND (app_is_national() OR app_municipality_id() IN (l.municipality_id, l.lending_municipality_id))
      AND s.held_on BETWEEN l.period_from AND least(l.period_to, coalesce(l.ended_on, l.period_to))
$$;

REVOKE ALL ON FUNCTION loan_hours(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION loan_hours(uuid) TO korps_app;
CREATE POLICY course_session_versions_loan ON course_session_versions
    USING (session_id IN (SELECT s.id FROM course_sessions s WHERE s.course_id IN (SELECT app_loan_courses())))
    WITH CHECK (session_id IN (SELECT s.id FROM course_sessions s WHERE s.course_id IN (SELECT app_loan_courses())));
