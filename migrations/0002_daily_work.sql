-- The daily work: corps member profiles, citizens and their consents and relations,
-- courses of three kinds with their sessions, and the coordinator's coaching log.
-- Every table with a municipality_id is row-level secured like memberships.

-- Profiles of the municipality's mentors and parent coaches (PRODUCT.md, corps members;
-- coordinator guide §2.1 for the matching attributes).
CREATE TABLE corps_members (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    user_id uuid NOT NULL REFERENCES users (id),
    -- Available for new courses (a member on leave is inactive without losing the account).
    active boolean NOT NULL DEFAULT true,
    training_status text NOT NULL DEFAULT 'untrained'
        CHECK (training_status IN ('untrained', 'in_training', 'trained')),
    trained_on date,
    capacity smallint NOT NULL DEFAULT 2 CHECK (capacity BETWEEN 0 AND 20),
    gender text CHECK (gender IN ('female', 'male', 'other')),
    birth_year smallint CHECK (birth_year BETWEEN 1930 AND 2015),
    languages text[] NOT NULL DEFAULT '{}',
    cultural_background text,
    religion_competence boolean NOT NULL DEFAULT false,
    politics_competence boolean NOT NULL DEFAULT false,
    -- 1 = caring, familial … 5 = authoritative, formal.
    temperament smallint CHECK (temperament BETWEEN 1 AND 5),
    experience text[] NOT NULL DEFAULT '{}'
        CHECK (experience <@ ARRAY['psychiatric', 'behavioural', 'extremism', 'other']),
    availability text[] NOT NULL DEFAULT '{}'
        CHECK (availability <@ ARRAY['daytime', 'evenings', 'weekends']),
    notes text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, user_id)
);
CREATE INDEX corps_members_municipality_idx ON corps_members (municipality_id, active);
CREATE INDEX corps_members_languages_idx ON corps_members USING gin (languages);

-- Citizens: mentees and their parents or relatives. Records, not users. Birth year, never
-- a CPR number or a birth date (PRODUCT.md, privacy rules).
CREATE TABLE citizens (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    kind text NOT NULL CHECK (kind IN ('mentee', 'relative')),
    name text NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    birth_year smallint CHECK (birth_year BETWEEN 1920 AND 2025),
    gender text CHECK (gender IN ('female', 'male', 'other')),
    languages text[] NOT NULL DEFAULT '{}',
    cultural_background text,
    referred_on date NOT NULL,
    referral_source text NOT NULL CHECK (referral_source IN
        ('infohouse', 'school', 'social_services', 'jobcentre', 'police', 'psychiatry', 'family', 'self', 'other')),
    referred_by text NOT NULL DEFAULT '',
    criteria text[] NOT NULL DEFAULT '{}' CHECK (criteria <@
        ARRAY['extremist_environment', 'signs_of_concern', 'vulnerable', 'relative_of_concern']),
    legal_basis text NOT NULL CHECK (legal_basis IN ('social_services_act', 'active_employment_act', 'other')),
    legal_basis_note text NOT NULL DEFAULT '',
    -- Matching preferences and needs.
    preferred_gender text CHECK (preferred_gender IN ('female', 'male')),
    preferred_age_band text CHECK (preferred_age_band IN ('under_30', '30_to_45', 'over_45')),
    preferred_language text,
    preferred_culture text,
    preference_note text NOT NULL DEFAULT '',
    needs_religion_politics boolean NOT NULL DEFAULT false,
    needed_temperament smallint CHECK (needed_temperament BETWEEN 1 AND 5),
    needed_experience text[] NOT NULL DEFAULT '{}'
        CHECK (needed_experience <@ ARRAY['psychiatric', 'behavioural', 'extremism', 'other']),
    needed_availability text[] NOT NULL DEFAULT '{}'
        CHECK (needed_availability <@ ARRAY['daytime', 'evenings', 'weekends']),
    -- Other efforts to coordinate with (coordinator guide §2.2).
    other_efforts text[] NOT NULL DEFAULT '{}' CHECK (other_efforts <@
        ARRAY['action_plan_141', 'family_treatment', 'psychiatry', 'jobcentre', 'other']),
    other_efforts_note text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizens_municipality_idx ON citizens (municipality_id, referred_on DESC);
CREATE INDEX citizens_name_idx ON citizens (municipality_id, lower(name));

-- A mentee's parents and relatives.
CREATE TABLE citizen_relations (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    mentee_id uuid NOT NULL REFERENCES citizens (id),
    relative_id uuid NOT NULL REFERENCES citizens (id),
    relation text NOT NULL CHECK (relation IN ('mother', 'father', 'parent', 'sibling', 'other')),
    UNIQUE (mentee_id, relative_id),
    CHECK (mentee_id <> relative_id)
);
CREATE INDEX citizen_relations_relative_idx ON citizen_relations (relative_id);

-- What was consented to, by whom, when, and when it was withdrawn.
CREATE TABLE consents (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    citizen_id uuid NOT NULL REFERENCES citizens (id),
    kind text NOT NULL CHECK (kind IN ('participation', 'handover', 'evaluation')),
    given_by text NOT NULL CHECK (given_by IN ('citizen', 'guardian')),
    given_on date NOT NULL,
    withdrawn_on date,
    recorded_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on)
);
CREATE INDEX consents_citizen_idx ON consents (citizen_id);

-- Members who must never be matched with a citizen (prior contact, same environment,
-- family). The member may belong to another municipality.
CREATE TABLE member_conflicts (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    citizen_id uuid NOT NULL REFERENCES citizens (id),
    member_id uuid NOT NULL REFERENCES corps_members (id),
    reason text NOT NULL CHECK (reason IN ('prior_contact', 'same_environment', 'family', 'other')),
    recorded_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (citizen_id, member_id)
);

-- Courses (forløb): mentor course, parent coaching, relatives' network.
CREATE TABLE courses (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    kind text NOT NULL CHECK (kind IN ('mentor', 'parent_coaching', 'relatives_network')),
    -- A network's name; other courses are named by their citizen.
    title text NOT NULL DEFAULT '',
    member_id uuid REFERENCES corps_members (id),
    state text NOT NULL DEFAULT 'referred' CHECK (state IN
        ('referred', 'matched', 'pre_meeting', 'active', 'ending', 'follow_up', 'closed', 'cancelled')),
    referred_on date NOT NULL,
    matched_on date,
    started_on date,
    planned_end_on date,
    ended_on date,
    closed_on date,
    goals_reached text CHECK (goals_reached IN ('yes', 'partly', 'no')),
    end_note text NOT NULL DEFAULT '',
    cancel_reason text NOT NULL DEFAULT '',
    -- Set when the coordinator chose someone other than the top-ranked candidate.
    match_override_reason text NOT NULL DEFAULT '',
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (state IN ('referred', 'cancelled') OR member_id IS NOT NULL)
);
CREATE INDEX courses_municipality_state_idx ON courses (municipality_id, state, kind);
CREATE INDEX courses_member_idx ON courses (member_id, state);

-- Who a course is with: the mentee, the parents, the network's relatives.
CREATE TABLE course_participants (
    course_id uuid NOT NULL REFERENCES courses (id),
    citizen_id uuid NOT NULL REFERENCES citizens (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    joined_on date NOT NULL,
    PRIMARY KEY (course_id, citizen_id)
);
CREATE INDEX course_participants_citizen_idx ON course_participants (citizen_id);

-- The course's history: state changes, matching, extensions, cancellations.
CREATE TABLE course_events (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    course_id uuid NOT NULL REFERENCES courses (id),
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid REFERENCES users (id),
    kind text NOT NULL CHECK (kind IN ('created', 'matched', 'state', 'extended', 'cancelled')),
    from_state text,
    to_state text,
    note text NOT NULL DEFAULT ''
);
CREATE INDEX course_events_course_idx ON course_events (course_id, at);

-- The session log.
CREATE TABLE course_sessions (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    course_id uuid NOT NULL REFERENCES courses (id),
    held_on date NOT NULL,
    duration_minutes smallint NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
    kind text NOT NULL CHECK (kind IN
        ('pre_meeting', 'session', 'network_meeting', 'follow_up', 'phone_online', 'professionals_meeting')),
    participants text NOT NULL DEFAULT '',
    notes text NOT NULL DEFAULT '',
    tools text[] NOT NULL DEFAULT '{}' CHECK (tools <@
        ARRAY['risk_assessment', 'development_plan', 'measurement', 'agreement', 'conversation_card', 'other']),
    next_step text NOT NULL DEFAULT '',
    logged_by uuid NOT NULL REFERENCES users (id),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX course_sessions_course_idx ON course_sessions (course_id, held_on DESC);
CREATE INDEX course_sessions_municipality_idx ON course_sessions (municipality_id, held_on DESC);

-- Earlier versions of a session, kept when it is changed after the day it was logged.
CREATE TABLE course_session_versions (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    session_id uuid NOT NULL REFERENCES course_sessions (id),
    version integer NOT NULL,
    held_on date NOT NULL,
    duration_minutes smallint NOT NULL,
    kind text NOT NULL,
    participants text NOT NULL,
    notes text NOT NULL,
    tools text[] NOT NULL,
    next_step text NOT NULL,
    changed_by uuid NOT NULL REFERENCES users (id),
    replaced_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, version)
);

-- The coordinator's monthly coaching of each member with active courses
-- (coordinator guide §3: "mindst én gang om måneden").
CREATE TABLE coaching_log (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    member_id uuid NOT NULL REFERENCES corps_members (id),
    coordinator_id uuid NOT NULL REFERENCES users (id),
    held_on date NOT NULL,
    notes text NOT NULL DEFAULT '',
    next_step text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coaching_log_member_idx ON coaching_log (municipality_id, member_id, held_on DESC);

-- Row-level security: the same tenant policy on every table above.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['corps_members', 'citizens', 'citizen_relations', 'consents', 'member_conflicts',
                             'courses', 'course_participants', 'course_events', 'course_sessions',
                             'course_session_versions', 'coaching_log']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (municipality_id = app_municipality_id())
                        WITH CHECK (municipality_id = app_municipality_id())', t || '_tenant', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO korps_app', t);
    END LOOP;
END
$$;
GRANT DELETE ON citizen_relations, member_conflicts, course_participants TO korps_app;

-- National staff keep the corps roster: they read member profiles (staff data, never
-- citizens).
CREATE POLICY corps_members_national_read ON corps_members FOR SELECT USING (app_is_national());

-- Matching across the corps: a coordinator sees other municipalities' active, trained
-- members with their matching attributes and load — staff data only, through this
-- function, never the tables of another municipality.
CREATE FUNCTION corps_candidates(kind text)
RETURNS TABLE (
    member_id uuid, municipality_id uuid, municipality_name text, name text,
    gender text, birth_year smallint, languages text[], cultural_background text,
    religion_competence boolean, politics_competence boolean, temperament smallint,
    experience text[], availability text[], capacity smallint, load bigint
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT cm.id, cm.municipality_id, mu.name, u.name,
           cm.gender, cm.birth_year, cm.languages, cm.cultural_background,
           cm.religion_competence, cm.politics_competence, cm.temperament,
           cm.experience, cm.availability, cm.capacity,
           (SELECT count(*) FROM courses c
             WHERE c.member_id = cm.id AND c.state IN ('matched', 'pre_meeting', 'active', 'ending'))
    FROM corps_members cm
    JOIN users u ON u.id = cm.user_id AND u.active
    JOIN municipalities mu ON mu.id = cm.municipality_id
    JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
    WHERE app_municipality_id() IS NOT NULL
      AND cm.active AND cm.training_status = 'trained'
      AND CASE kind WHEN 'mentor' THEN 'mentor' ELSE 'parent_coach' END = ANY (m.roles)
$$;
REVOKE ALL ON FUNCTION corps_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corps_candidates(text) TO korps_app;
