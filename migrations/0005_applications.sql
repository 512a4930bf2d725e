-- Application rounds run by the national centre, and municipalities' applications to
-- them (PRODUCT.md "Applications"): training rounds (2015 guide) and advisory rounds
-- (2022 guide), joint applications with partner municipalities, the advisory round's
-- minutes of a management meeting (file), the national review, and the decision.

CREATE TABLE application_rounds (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('training', 'advisory')),
    title text NOT NULL CHECK (length(trim(title)) BETWEEN 2 AND 200),
    description text NOT NULL DEFAULT '',
    -- planned (only national staff see it) → open → closed.
    state text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'open', 'closed')),
    -- An instant; entered and shown in Danish time.
    deadline timestamptz NOT NULL,
    -- Advisory rounds: how many courses the team can start from this round.
    capacity smallint CHECK (capacity BETWEEN 1 AND 100),
    -- Training rounds: members stay in the national corps until this date.
    corps_until date,
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    opened_at timestamptz,
    closed_at timestamptz,
    CONSTRAINT application_rounds_capacity_for_advisory CHECK ((kind = 'advisory') = (capacity IS NOT NULL))
);

CREATE TABLE applications (
    id uuid PRIMARY KEY,
    round_id uuid NOT NULL REFERENCES application_rounds (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    state text NOT NULL DEFAULT 'draft' CHECK (state IN (
        'draft', 'awaiting_partners', 'submitted', 'under_review',
        'approved', 'accepted', 'deferred', 'rejected')),
    -- Training: the programmes applied for, with the number of candidates for each.
    mentor_candidates smallint CHECK (mentor_candidates BETWEEN 1 AND 50),
    parent_coach_candidates smallint CHECK (parent_coach_candidates BETWEEN 1 AND 50),
    coordinator_candidates smallint CHECK (coordinator_candidates BETWEEN 1 AND 50),
    -- Both kinds: the challenges (with young people at risk / with the target group).
    challenges text NOT NULL DEFAULT '',
    -- Training: organisation and management of the effort.
    organisation_staff text NOT NULL DEFAULT '',
    organisation_responsible text NOT NULL DEFAULT '',
    organisation_partners text NOT NULL DEFAULT '',
    organisation_coordination text NOT NULL DEFAULT '',
    recruitment text NOT NULL DEFAULT '',
    target_groups text NOT NULL DEFAULT '',
    management_support text NOT NULL DEFAULT '',
    legal_basis text NOT NULL DEFAULT '',
    commit_lend boolean NOT NULL DEFAULT false,
    commit_method boolean NOT NULL DEFAULT false,
    commit_corps boolean NOT NULL DEFAULT false,
    -- Advisory.
    motivation text NOT NULL DEFAULT '',
    notifications_count integer CHECK (notifications_count >= 0),
    measures_count integer CHECK (measures_count >= 0),
    indicators_note text NOT NULL DEFAULT '',
    leadership_resources text NOT NULL DEFAULT '',
    signatory_name text NOT NULL DEFAULT '',
    signatory_title text NOT NULL DEFAULT '',
    signed_on date,
    preferred_start date,
    earlier_assistance text NOT NULL DEFAULT '',
    -- The decision, which the applicant sees.
    decision_reason text NOT NULL DEFAULT '',
    mentor_seats smallint CHECK (mentor_seats >= 0),
    parent_coach_seats smallint CHECK (parent_coach_seats >= 0),
    coordinator_seats smallint CHECK (coordinator_seats >= 0),
    start_on date,
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id),
    submitted_at timestamptz,
    submitted_by uuid REFERENCES users (id),
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX applications_round_municipality_key ON applications (round_id, municipality_id);
CREATE INDEX applications_municipality_idx ON applications (municipality_id);

-- Partner municipalities of a joint application; each partner's coordinator confirms the
-- commitments. The row belongs to the lead municipality (`municipality_id`, the
-- application's own), which adds and removes partners; the partner reads and confirms its
-- row. Repeating the lead here keeps these policies from reading `applications` (whose
-- policy reads this table).
CREATE TABLE application_partners (
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    partner_municipality_id uuid NOT NULL REFERENCES municipalities (id),
    confirmed_at timestamptz,
    confirmed_by uuid REFERENCES users (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, partner_municipality_id),
    CHECK (partner_municipality_id <> municipality_id)
);
CREATE INDEX application_partners_partner_idx ON application_partners (partner_municipality_id);

-- The advisory round's minutes of a management meeting. One file per application; a new
-- upload replaces it.
CREATE TABLE application_files (
    id uuid PRIMARY KEY,
    application_id uuid NOT NULL UNIQUE REFERENCES applications (id),
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    size_bytes integer NOT NULL CHECK (size_bytes > 0),
    content bytea NOT NULL,
    uploaded_by uuid REFERENCES users (id),
    uploaded_at timestamptz NOT NULL DEFAULT now()
);

-- The national review: a 1–5 score and a note per criterion of the guide. National only:
-- the applicant sees the decision and its reason, never the scores.
CREATE TABLE application_reviews (
    application_id uuid PRIMARY KEY REFERENCES applications (id),
    scores jsonb NOT NULL DEFAULT '{}',
    total_score smallint NOT NULL DEFAULT 0,
    scored_count smallint NOT NULL DEFAULT 0,
    version integer NOT NULL DEFAULT 1,
    updated_by uuid REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Row-level security.
ALTER TABLE application_rounds ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_rounds FORCE ROW LEVEL SECURITY;
-- Every signed-in user sees rounds once they are open; planned ones are national only.
CREATE POLICY application_rounds_read ON application_rounds FOR SELECT
    USING (app_is_national() OR (app_user_id() IS NOT NULL AND state <> 'planned'));
CREATE POLICY application_rounds_national ON application_rounds
    USING (app_is_national()) WITH CHECK (app_is_national());

ALTER TABLE applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE applications FORCE ROW LEVEL SECURITY;
-- The applicant municipality reads its applications and writes them only while they are
-- its own to change: the decision states are written by national staff alone.
CREATE POLICY applications_tenant ON applications
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id()
                AND state IN ('draft', 'awaiting_partners', 'submitted'));
CREATE POLICY applications_partner_read ON applications FOR SELECT
    USING (id IN (SELECT p.application_id FROM application_partners p
                  WHERE p.partner_municipality_id = app_municipality_id()));
CREATE POLICY applications_national ON applications
    USING (app_is_national()) WITH CHECK (app_is_national());

ALTER TABLE application_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_partners FORCE ROW LEVEL SECURITY;
CREATE POLICY application_partners_tenant ON application_partners
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
-- A partner reads its own row (and confirms it through the function below).
CREATE POLICY application_partners_partner_read ON application_partners FOR SELECT
    USING (partner_municipality_id = app_municipality_id());
CREATE POLICY application_partners_national_read ON application_partners FOR SELECT
    USING (app_is_national());

ALTER TABLE application_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_files FORCE ROW LEVEL SECURITY;
CREATE POLICY application_files_tenant ON application_files
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
CREATE POLICY application_files_national_read ON application_files FOR SELECT
    USING (app_is_national());

ALTER TABLE application_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY application_reviews_national ON application_reviews
    USING (app_is_national()) WITH CHECK (app_is_national());

-- When the last partner confirms, the joint application counts as submitted. The partner
-- may not write the lead's application row, so this runs as the owner, for the calling
-- municipality's own partner row only.
CREATE FUNCTION confirm_application_partner(application uuid, confirmed_by uuid)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    current_state text;
    waiting bigint;
BEGIN
    IF app_municipality_id() IS NULL THEN
        RETURN 'not_found';
    END IF;
    -- Lock the application so that two partners confirming at once see each other.
    SELECT a.state INTO current_state FROM applications a WHERE a.id = application FOR UPDATE;
    IF current_state IS NULL OR NOT EXISTS (
        SELECT 1 FROM application_partners p
        WHERE p.application_id = application AND p.partner_municipality_id = app_municipality_id()) THEN
        RETURN 'not_found';
    END IF;
    UPDATE application_partners p SET confirmed_at = now(), confirmed_by = confirm_application_partner.confirmed_by
    WHERE p.application_id = application AND p.partner_municipality_id = app_municipality_id()
      AND p.confirmed_at IS NULL;
    SELECT count(*) INTO waiting FROM application_partners p
    WHERE p.application_id = application AND p.confirmed_at IS NULL;
    IF current_state = 'awaiting_partners' AND waiting = 0 THEN
        UPDATE applications SET state = 'submitted', submitted_at = now(),
               version = version + 1, updated_at = now()
        WHERE id = application;
        RETURN 'submitted';
    END IF;
    RETURN current_state;
END
$$;
REVOKE ALL ON FUNCTION confirm_application_partner(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION confirm_application_partner(uuid, uuid) TO korps_app;

GRANT SELECT, INSERT, UPDATE ON application_rounds, applications, application_reviews TO korps_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON application_partners, application_files TO korps_app;
