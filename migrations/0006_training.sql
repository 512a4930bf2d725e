-- Training and the corps (PRODUCT.md "Training and the corps"; the 2015 guide §6): cohorts
-- ("hold") with modules per programme, participants nominated by approved municipalities
-- within their granted seats, attendance per module, and completion that makes a member
-- trained and part of the corps until the obligation end date. Network meetings and
-- advanced modules ("overbygningsmoduler") are corps-wide events with attendance.

-- A cohort. `round_id`: the training round whose approved applications give the
-- municipalities their seats (optional: a cohort without a round takes no nominations).
CREATE TABLE training_cohorts (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 2 AND 200),
    round_id uuid REFERENCES application_rounds (id),
    -- The cohort's places per programme, over all municipalities.
    mentor_seats smallint NOT NULL DEFAULT 0 CHECK (mentor_seats BETWEEN 0 AND 500),
    parent_coach_seats smallint NOT NULL DEFAULT 0 CHECK (parent_coach_seats BETWEEN 0 AND 500),
    coordinator_seats smallint NOT NULL DEFAULT 0 CHECK (coordinator_seats BETWEEN 0 AND 500),
    -- "forpligtet til at deltage i korpset frem til".
    corps_until date NOT NULL,
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A module: one day or a span of days, for one or more programmes (Modul 1, the joint
-- intro day, is for all; Modul 2–4 differ for mentors and parent coaches).
CREATE TABLE training_modules (
    id uuid PRIMARY KEY,
    cohort_id uuid NOT NULL REFERENCES training_cohorts (id),
    title text NOT NULL CHECK (length(trim(title)) BETWEEN 2 AND 200),
    starts_on date NOT NULL,
    ends_on date CHECK (ends_on >= starts_on),
    place text NOT NULL DEFAULT '',
    programmes text[] NOT NULL CHECK (
        cardinality(programmes) > 0 AND programmes <@ ARRAY['mentor', 'parent_coach', 'coordinator']),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_modules_cohort_idx ON training_modules (cohort_id, starts_on);

-- A municipality's participant in a cohort: one of its staff accounts, in one programme.
-- `member_id` is the corps member profile (mentor and parent-coach programmes).
CREATE TABLE training_nominations (
    id uuid PRIMARY KEY,
    cohort_id uuid NOT NULL REFERENCES training_cohorts (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    user_id uuid NOT NULL REFERENCES users (id),
    member_id uuid REFERENCES corps_members (id),
    programme text NOT NULL CHECK (programme IN ('mentor', 'parent_coach', 'coordinator')),
    nominated_by uuid REFERENCES users (id),
    nominated_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    withdrawn_by uuid REFERENCES users (id),
    -- The date of the last module, once every module of the programme is attended.
    completed_on date,
    CHECK ((programme = 'coordinator') OR member_id IS NOT NULL)
);
CREATE UNIQUE INDEX training_nominations_once ON training_nominations (cohort_id, user_id)
    WHERE withdrawn_at IS NULL;
CREATE INDEX training_nominations_municipality_idx ON training_nominations (municipality_id, cohort_id);
CREATE INDEX training_nominations_member_idx ON training_nominations (member_id);

-- Who attended a module. Rows carry the participant's municipality for its policies.
CREATE TABLE training_attendance (
    module_id uuid NOT NULL REFERENCES training_modules (id),
    nomination_id uuid NOT NULL REFERENCES training_nominations (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (module_id, nomination_id)
);
CREATE INDEX training_attendance_nomination_idx ON training_attendance (nomination_id);

-- Corps-wide events: national network meetings and advanced modules.
CREATE TABLE corps_events (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('network_meeting', 'advanced_module')),
    title text NOT NULL CHECK (length(trim(title)) BETWEEN 2 AND 200),
    starts_on date NOT NULL,
    ends_on date CHECK (ends_on >= starts_on),
    place text NOT NULL DEFAULT '',
    programmes text[] NOT NULL CHECK (
        cardinality(programmes) > 0 AND programmes <@ ARRAY['mentor', 'parent_coach']),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX corps_events_starts_idx ON corps_events (starts_on);

CREATE TABLE corps_event_attendance (
    event_id uuid NOT NULL REFERENCES corps_events (id),
    member_id uuid NOT NULL REFERENCES corps_members (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, member_id)
);
CREATE INDEX corps_event_attendance_member_idx ON corps_event_attendance (member_id);

-- What training made a member part of the corps.
ALTER TABLE corps_members
    ADD COLUMN trained_programme text CHECK (trained_programme IN ('mentor', 'parent_coach')),
    ADD COLUMN trained_cohort_id uuid REFERENCES training_cohorts (id),
    ADD COLUMN corps_until date;

-- Row-level security. Cohorts, modules and events belong to no municipality: every
-- signed-in user reads them, national staff alone write them.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['training_cohorts', 'training_modules', 'corps_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (app_user_id() IS NOT NULL OR app_is_national())',
                       t || '_read', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (app_is_national()) WITH CHECK (app_is_national())',
                       t || '_national', t);
    END LOOP;
END
$$;

-- Nominations: the municipality nominates and withdraws its own; national staff read all
-- and write the completion.
ALTER TABLE training_nominations ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_nominations FORCE ROW LEVEL SECURITY;
CREATE POLICY training_nominations_tenant ON training_nominations
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
CREATE POLICY training_nominations_national ON training_nominations
    USING (app_is_national()) WITH CHECK (app_is_national());

-- Attendance: recorded by national staff; the municipality reads its own participants'.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['training_attendance', 'corps_event_attendance']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (municipality_id = app_municipality_id())',
                       t || '_tenant_read', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (app_is_national()) WITH CHECK (app_is_national())',
                       t || '_national', t);
    END LOOP;
END
$$;

-- The seats a municipality may still use in a round: its approved training application
-- there (as lead or as partner of a joint one, whose seats the lead and partners share),
-- the seats granted, and the nominations the lead and partners hold in any cohort of the
-- round. A partner may not read the lead's nominations (RLS), so this runs as the owner
-- and returns counts only, for the calling municipality's own application.
CREATE FUNCTION training_seat_pool(p_round uuid)
RETURNS TABLE (
    application_id uuid,
    mentor_seats smallint, parent_coach_seats smallint, coordinator_seats smallint,
    mentor_used bigint, parent_coach_used bigint, coordinator_used bigint
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH app AS (
        SELECT a.id, a.municipality_id, a.mentor_seats, a.parent_coach_seats, a.coordinator_seats
        FROM applications a
        WHERE a.round_id = p_round AND a.state = 'approved' AND app_municipality_id() IS NOT NULL
          AND (a.municipality_id = app_municipality_id()
               OR EXISTS (SELECT 1 FROM application_partners p
                          WHERE p.application_id = a.id AND p.partner_municipality_id = app_municipality_id()))
        LIMIT 1
    ), pool AS (
        SELECT app.municipality_id FROM app
        UNION SELECT p.partner_municipality_id FROM application_partners p JOIN app ON p.application_id = app.id
    ), used AS (
        SELECT n.programme, count(*) AS n
        FROM training_nominations n JOIN training_cohorts c ON c.id = n.cohort_id
        WHERE c.round_id = p_round AND n.withdrawn_at IS NULL
          AND n.municipality_id IN (SELECT municipality_id FROM pool)
        GROUP BY n.programme
    )
    SELECT app.id, coalesce(app.mentor_seats, 0)::smallint, coalesce(app.parent_coach_seats, 0)::smallint,
           coalesce(app.coordinator_seats, 0)::smallint,
           coalesce((SELECT n FROM used WHERE programme = 'mentor'), 0),
           coalesce((SELECT n FROM used WHERE programme = 'parent_coach'), 0),
           coalesce((SELECT n FROM used WHERE programme = 'coordinator'), 0)
    FROM app
$$;
REVOKE ALL ON FUNCTION training_seat_pool(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION training_seat_pool(uuid) TO korps_app;

-- Nominations per programme in a cohort over all municipalities (the cohort's own seats).
-- Counts only; any signed-in user's transaction.
CREATE FUNCTION training_cohort_taken(p_cohort uuid)
RETURNS TABLE (programme text, taken bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT n.programme, count(*) FROM training_nominations n
    WHERE n.cohort_id = p_cohort AND n.withdrawn_at IS NULL
      AND (app_user_id() IS NOT NULL OR app_is_national())
    GROUP BY n.programme
$$;
REVOKE ALL ON FUNCTION training_cohort_taken(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION training_cohort_taken(uuid) TO korps_app;

-- Completion. National staff record attendance in every municipality and so must write a
-- member's training fields, which belong to the member's municipality (corps_members has
-- only a tenant policy for writing). A national UPDATE policy would open every column of
-- every profile (capacity, matching attributes, notes) to national staff; this function
-- writes the training fields only, from a nomination it checks, and only for national
-- transactions. `p_completed_on` NULL takes a completion back (attendance corrected).
CREATE FUNCTION record_training_outcome(p_nomination uuid, p_completed_on date)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n record;
    earlier record;
BEGIN
    IF NOT app_is_national() THEN
        RETURN false;
    END IF;
    SELECT tn.id, tn.member_id, tn.programme, tn.cohort_id, c.corps_until INTO n
    FROM training_nominations tn JOIN training_cohorts c ON c.id = tn.cohort_id
    WHERE tn.id = p_nomination AND tn.withdrawn_at IS NULL;
    IF n.id IS NULL THEN
        RETURN false;
    END IF;
    UPDATE training_nominations SET completed_on = p_completed_on WHERE id = n.id;
    IF n.member_id IS NULL OR n.programme = 'coordinator' THEN
        RETURN true;
    END IF;
    IF p_completed_on IS NOT NULL THEN
        UPDATE corps_members SET training_status = 'trained', trained_on = p_completed_on,
               trained_programme = n.programme, trained_cohort_id = n.cohort_id, corps_until = n.corps_until,
               version = version + 1, updated_at = now()
        WHERE id = n.member_id;
    ELSE
        -- A completion taken back: the member stands on their latest other completed
        -- cohort, if any, and is in training otherwise.
        SELECT tn.programme, tn.cohort_id, tn.completed_on, c.corps_until INTO earlier
        FROM training_nominations tn JOIN training_cohorts c ON c.id = tn.cohort_id
        WHERE tn.member_id = n.member_id AND tn.id <> n.id AND tn.completed_on IS NOT NULL
          AND tn.withdrawn_at IS NULL AND tn.programme <> 'coordinator'
        ORDER BY tn.completed_on DESC LIMIT 1;
        IF earlier.cohort_id IS NOT NULL THEN
            UPDATE corps_members SET training_status = 'trained', trained_on = earlier.completed_on,
                   trained_programme = earlier.programme, trained_cohort_id = earlier.cohort_id,
                   corps_until = earlier.corps_until, version = version + 1, updated_at = now()
            WHERE id = n.member_id AND trained_cohort_id = n.cohort_id;
        ELSE
            UPDATE corps_members SET training_status = 'in_training', trained_on = NULL,
                   trained_programme = NULL, trained_cohort_id = NULL, corps_until = NULL,
                   version = version + 1, updated_at = now()
            WHERE id = n.member_id AND trained_cohort_id = n.cohort_id;
        END IF;
    END IF;
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION record_training_outcome(uuid, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_training_outcome(uuid, date) TO korps_app;

-- The roster's load column: per member, the courses that take a place. National staff
-- may not read courses (citizen data); this returns a count per member and nothing else,
-- and only to a national transaction.
CREATE FUNCTION corps_roster_load()
RETURNS TABLE (member_id uuid, load bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.member_id, count(*)
    FROM courses c
    WHERE app_is_national() AND c.member_id IS NOT NULL
      AND c.state IN ('matched', 'pre_meeting', 'active', 'ending')
    GROUP BY c.member_id
$$;
REVOKE ALL ON FUNCTION corps_roster_load() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corps_roster_load() TO korps_app;

GRANT SELECT, INSERT, UPDATE ON training_cohorts, training_modules, corps_events, training_nominations TO korps_app;
GRANT SELECT, INSERT, DELETE ON training_attendance, corps_event_attendance TO korps_app;
