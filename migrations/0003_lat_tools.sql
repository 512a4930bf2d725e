-- LAT tools: every filled tool is one row of answers (JSON, keyed by the fields of the
-- definition version it was given under); the numbers that charts and dashboards read
-- are copied into measurements.

CREATE TABLE tool_answers (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    course_id uuid REFERENCES courses (id),
    coaching_id uuid REFERENCES coaching_log (id),
    tool text NOT NULL,
    version smallint NOT NULL,
    -- Pre and post measurement.
    phase text CHECK (phase IN ('pre', 'post')),
    answers jsonb NOT NULL,
    filled_on date NOT NULL,
    filled_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((course_id IS NULL) <> (coaching_id IS NULL))
);
CREATE INDEX tool_answers_course_idx ON tool_answers (course_id, filled_on DESC);
CREATE INDEX tool_answers_coaching_idx ON tool_answers (coaching_id);

CREATE TABLE measurements (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    course_id uuid NOT NULL REFERENCES courses (id),
    answer_id uuid NOT NULL REFERENCES tool_answers (id),
    kind text NOT NULL CHECK (kind IN ('progress', 'risk_mentor', 'risk_citizen', 'risk_parents',
        'wellbeing_pre', 'wellbeing_post', 'mastery_pre', 'mastery_post')),
    value numeric(6, 2) NOT NULL,
    measured_on date NOT NULL
);
CREATE INDEX measurements_course_idx ON measurements (course_id, kind, measured_on);
CREATE INDEX measurements_municipality_idx ON measurements (municipality_id, kind, measured_on);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tool_answers', 'measurements']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (municipality_id = app_municipality_id())
                        WITH CHECK (municipality_id = app_municipality_id())', t || '_tenant', t);
        EXECUTE format('GRANT SELECT, INSERT ON %I TO korps_app', t);
    END LOOP;
END
$$;

-- Birth years: the upper bound belongs to the application (it moves with the calendar);
-- the database keeps only a floor.
ALTER TABLE citizens DROP CONSTRAINT citizens_birth_year_check;
ALTER TABLE citizens ADD CONSTRAINT citizens_birth_year_check CHECK (birth_year >= 1900);
ALTER TABLE corps_members DROP CONSTRAINT corps_members_birth_year_check;
ALTER TABLE corps_members ADD CONSTRAINT corps_members_birth_year_check CHECK (birth_year >= 1900);

-- How many memberships a user has in all of Korps, for the rule that a coordinator
-- manages only accounts that belong to their municipality alone. Staff data only.
CREATE FUNCTION user_membership_count(user_id uuid) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT count(*) FROM memberships m WHERE m.user_id = user_membership_count.user_id
$$;
REVOKE ALL ON FUNCTION user_membership_count(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION user_membership_count(uuid) TO korps_app;
