-- Retention (issue 13, point 1; PRODUCT.md: "Closed courses are anonymised after a
-- retention period the municipality sets (default 5 years); the audit log is kept at least
-- as long as the data it describes").
--
--   * A citizen whose courses have all been closed or cancelled for longer than the
--     municipality's retention period is anonymised: name, birth year, contact and free
--     text go, consents, relations and conflicts are deleted; what the national figures
--     read stays (kind, state, gender, dates by month, goals reached, measurements), and
--     the two things they read from what goes are kept without identity: the age band
--     (`age_band_kept`) and whether the evaluation consent stood (`evaluation_consent_kept`).
--     A citizen with no course of their own (a mentee's parent) follows the related
--     citizens who had one. Courses whose participants are all anonymised lose their free
--     text; their sessions' texts, earlier session versions and the free text of their
--     LAT tools go.
--   * A citizen referred and never started (no course matched, started or lent) is
--     deleted, with their courses, 12 months after the (last) referral.
--   * A coordinator can hold a citizen's case (a legal hold, reviewed yearly): nothing of
--     it is anonymised or deleted while the hold is in force.
--   * Audit entries about a citizen or a course are deleted one year after that data was
--     anonymised or deleted; entries naming no citizen once older than the municipality's
--     retention period plus one year.
--   * Accounts deactivated for longer than the retention period are anonymised.
-- `retention_run` does all of it, as the background job only; `retention_due` says what
-- falls due when, for the run and for the coordinator's page.

ALTER TABLE citizens
    ADD COLUMN anonymised_on date,
    ADD COLUMN age_band_kept text CHECK (age_band_kept IN ('under_18', '18_to_24', '25_plus')),
    ADD COLUMN evaluation_consent_kept boolean;
ALTER TABLE courses ADD COLUMN anonymised_on date;
ALTER TABLE users
    ADD COLUMN anonymised_on date,
    -- When the account was last deactivated (NULL while active): account data goes
    -- the retention period after it.
    ADD COLUMN deactivated_on date;
UPDATE users SET deactivated_on = updated_at::date WHERE NOT active;

CREATE FUNCTION users_note_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active IS DISTINCT FROM OLD.active THEN
        NEW.deactivated_on := CASE WHEN NEW.active THEN NULL ELSE current_date END;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_note_deactivation BEFORE UPDATE OF active ON users
    FOR EACH ROW EXECUTE FUNCTION users_note_deactivation();

-- A legal hold on a citizen's case: kept as it is until released or until the review date
-- passes without a renewal (a hold lapses; the page shows it 30 days ahead).
CREATE TABLE retention_holds (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities (id),
    citizen_id uuid NOT NULL REFERENCES citizens (id),
    reason text NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 1000),
    held_by uuid NOT NULL REFERENCES users (id),
    held_on date NOT NULL,
    review_by date NOT NULL,
    renewed_on date,
    renewed_by uuid REFERENCES users (id),
    released_on date,
    released_by uuid REFERENCES users (id),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (review_by > held_on),
    CHECK ((released_on IS NULL) = (released_by IS NULL))
);
CREATE UNIQUE INDEX retention_holds_one_open ON retention_holds (citizen_id) WHERE released_on IS NULL;
CREATE INDEX retention_holds_municipality_idx ON retention_holds (municipality_id, review_by);
ALTER TABLE retention_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_holds FORCE ROW LEVEL SECURITY;
CREATE POLICY retention_holds_tenant ON retention_holds
    USING (municipality_id = app_municipality_id())
    WITH CHECK (municipality_id = app_municipality_id());
GRANT SELECT, INSERT, UPDATE ON retention_holds TO korps_app;

-- What was deleted outright (ids only, no municipality: nothing here belongs to a tenant),
-- so that the audit entries about it can go a year later; the row goes with them. Only
-- retention_run reads and writes it.
CREATE TABLE retention_erased (
    subject_type text NOT NULL CHECK (subject_type IN ('citizen', 'course')),
    subject_id uuid NOT NULL,
    erased_on date NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);
ALTER TABLE retention_erased ENABLE ROW LEVEL SECURITY;
ALTER TABLE retention_erased FORCE ROW LEVEL SECURITY;

-- The days the run has been done (the job runs at most once per Danish day).
CREATE TABLE retention_runs (
    day date PRIMARY KEY,
    ran_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON retention_runs TO korps_app;

-- The audit log stays append-only, except that the retention run deletes what has
-- outlived the data it describes: only inside retention_run (its owner, with the
-- transaction-local flag it sets), and never by UPDATE or TRUNCATE.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_user = 'korps_definer'
       AND coalesce(current_setting('korps.retention', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;

-- An anonymised citizen's evaluation consent is kept as a yes/no on the citizen (the
-- consent records are deleted), so the national evaluation figures stay the same.
CREATE OR REPLACE FUNCTION evaluation_consented(p_course uuid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
        WHERE p.course_id = p_course
          AND CASE WHEN y.anonymised_on IS NOT NULL THEN NOT coalesce(y.evaluation_consent_kept, false)
                   ELSE NOT EXISTS (SELECT 1 FROM consents k WHERE k.citizen_id = p.citizen_id
                                      AND k.kind = 'evaluation' AND k.withdrawn_on IS NULL) END
    )
$$;

-- An anonymised citizen has no birth year; the age band it gave on the day of
-- anonymisation is kept instead.
CREATE OR REPLACE FUNCTION national_background(p_kind text, p_from date, p_to date, p_this_year smallint)
RETURNS TABLE (municipality_id uuid, age_band text, gender text, courses bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id,
           CASE WHEN z.birth_year IS NULL THEN coalesce(z.age_band_kept, 'unknown')
                WHEN p_this_year - z.birth_year < 18 THEN 'under_18'
                WHEN p_this_year - z.birth_year < 25 THEN '18_to_24'
                ELSE '25_plus' END,
           coalesce(z.gender, 'unknown'), count(*)
    FROM courses c
    JOIN LATERAL (
        SELECT y.birth_year, y.gender, y.age_band_kept
        FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
        WHERE p.course_id = c.id ORDER BY y.kind = 'mentee' DESC, p.joined_on LIMIT 1
    ) z ON true
    WHERE app_is_national() AND (p_kind = '' OR c.kind = p_kind)
      AND c.referred_on <= p_to AND coalesce(c.closed_on, 'infinity'::date) >= p_from
      AND evaluation_consented(c.id)
    GROUP BY 1, 2, 3
$$;

-- What falls due by `p_until` (seen on `p_today`): per citizen not yet anonymised, whether
-- it is anonymised or deleted, the day it falls due, and whether a hold keeps it. Runs
-- with the caller's rights: a coordinator sees their own municipality, the run all.
CREATE FUNCTION retention_due(p_today date, p_until date)
RETURNS TABLE (municipality_id uuid, citizen_id uuid, action text, due_on date, held boolean)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH base AS (
        SELECT y.id, y.municipality_id, y.anonymised_on,
               coalesce(bool_or(c.started_on IS NOT NULL OR c.matched_on IS NOT NULL
                                OR c.state NOT IN ('referred', 'cancelled')
                                OR EXISTS (SELECT 1 FROM loans l WHERE l.course_id = c.id)), false) AS started,
               coalesce(bool_and(c.state IN ('closed', 'cancelled') AND c.closed_on IS NOT NULL), false) AS ended,
               max(c.closed_on) AS last_end,
               greatest(y.referred_on, max(c.referred_on)) AS last_referral,
               EXISTS (SELECT 1 FROM retention_holds h
                       WHERE h.citizen_id = y.id AND h.released_on IS NULL AND h.review_by >= p_today) AS held
        FROM citizens y
        LEFT JOIN course_participants p ON p.citizen_id = y.id
        LEFT JOIN courses c ON c.id = p.course_id
        GROUP BY y.id
    ),
    own AS (
        SELECT b.*,
               CASE WHEN b.started AND b.ended
                    THEN (b.last_end + make_interval(years => m.retention_years))::date END AS anonymise_on
        FROM base b JOIN municipalities m ON m.id = b.municipality_id
    ),
    rel AS (
        SELECT r.mentee_id AS a, r.relative_id AS b FROM citizen_relations r
        UNION SELECT r.relative_id, r.mentee_id FROM citizen_relations r
    ),
    -- A citizen without a started course of their own goes with the related citizens who
    -- had one, once all of those are anonymised (and none is held).
    linked AS (
        SELECT r.a AS id, bool_or(o.started) AS started,
               bool_and(NOT o.started OR o.anonymised_on IS NOT NULL
                        OR (o.anonymise_on IS NOT NULL AND NOT o.held)) AS all_go,
               max(CASE WHEN o.started THEN coalesce(o.anonymised_on, o.anonymise_on) END) AS go_on
        FROM rel r JOIN own o ON o.id = r.b
        GROUP BY r.a
    ),
    due AS (
        SELECT o.municipality_id, o.id,
               CASE WHEN o.started OR coalesce(l.started, false) THEN 'anonymise' ELSE 'delete' END AS action,
               CASE WHEN o.started THEN o.anonymise_on
                    WHEN coalesce(l.started, false) THEN CASE WHEN l.all_go THEN l.go_on END
                    ELSE (o.last_referral + interval '12 months')::date END AS due_on,
               o.held
        FROM own o LEFT JOIN linked l ON l.id = o.id
        WHERE o.anonymised_on IS NULL
    )
    SELECT d.municipality_id, d.id, d.action, d.due_on, d.held
    FROM due d WHERE d.due_on IS NOT NULL AND d.due_on <= p_until
$$;
REVOKE ALL ON FUNCTION retention_due(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_due(date, date) TO korps_app;

-- A LAT tool's answers without free text: numbers, yes/no and the choice keys in `p_keys`
-- stay; every other string (free text, dates) goes. Field names are the definitions'.
CREATE FUNCTION retention_strip(p_value jsonb, p_keys text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
    k text;
    v jsonb;
    s jsonb;
BEGIN
    CASE jsonb_typeof(p_value)
    WHEN 'object' THEN
        result := '{}'::jsonb;
        FOR k, v IN SELECT e.key, e.value FROM jsonb_each(p_value) e LOOP
            s := retention_strip(v, p_keys);
            IF s IS NOT NULL THEN
                result := result || jsonb_build_object(k, s);
            END IF;
        END LOOP;
        RETURN result;
    WHEN 'array' THEN
        result := '[]'::jsonb;
        FOR v IN SELECT e.value FROM jsonb_array_elements(p_value) WITH ORDINALITY e(value, i) ORDER BY e.i LOOP
            s := retention_strip(v, p_keys);
            IF s IS NOT NULL THEN
                result := result || jsonb_build_array(s);
            END IF;
        END LOOP;
        RETURN result;
    WHEN 'string' THEN
        IF (p_value #>> '{}') = ANY (p_keys) THEN
            RETURN p_value;
        END IF;
        RETURN NULL;
    ELSE
        RETURN p_value;
    END CASE;
END
$$;

-- The run. `p_today` is the Danish day; `p_choice_keys` every choice key of the LAT tools
-- (from the catalogue), the only strings kept in their answers. Returns what it did, per
-- municipality (NULL: national accounts), and writes the same counts — never a name — to
-- each municipality's audit log. A dry run is this in a transaction rolled back.
CREATE FUNCTION retention_run(p_today date, p_choice_keys text[])
RETURNS TABLE (municipality_id uuid, what text, n bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    this_year integer := extract(year FROM p_today)::integer;
    anonymise uuid[];
    erase uuid[];
    gone_courses uuid[];
    accounts uuid[];
    members uuid[];
    tally jsonb := '[]'::jsonb;
    counted jsonb;
BEGIN
    IF NOT app_is_job() THEN
        RAISE EXCEPTION 'retention_run is run by the background job only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;

    SELECT coalesce(array_agg(d.citizen_id) FILTER (WHERE d.action = 'anonymise'), '{}'),
           coalesce(array_agg(d.citizen_id) FILTER (WHERE d.action = 'delete'), '{}')
      INTO anonymise, erase
      FROM retention_due(p_today, p_today) d WHERE NOT d.held;

    -- 1. Citizens anonymised.
    WITH d AS (
        UPDATE citizens y SET
            name = 'Anonymiseret',
            age_band_kept = CASE WHEN y.birth_year IS NULL THEN NULL
                                 WHEN this_year - y.birth_year < 18 THEN 'under_18'
                                 WHEN this_year - y.birth_year < 25 THEN '18_to_24'
                                 ELSE '25_plus' END,
            evaluation_consent_kept = EXISTS (SELECT 1 FROM consents k WHERE k.citizen_id = y.id
                                                AND k.kind = 'evaluation' AND k.withdrawn_on IS NULL),
            birth_year = NULL,
            languages = '{}',
            cultural_background = NULL,
            referred_on = date_trunc('month', y.referred_on)::date,
            referred_by = '',
            legal_basis_note = '',
            preferred_gender = NULL,
            preferred_age_band = NULL,
            preferred_language = NULL,
            preferred_culture = NULL,
            preference_note = '',
            other_efforts_note = '',
            anonymised_on = p_today,
            version = y.version + 1,
            created_at = date_trunc('month', y.created_at),
            updated_at = date_trunc('month', now())
        WHERE y.id = ANY (anonymise)
        RETURNING y.municipality_id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'citizens_anonymised', 'n', x.n)), '[]')
      INTO counted FROM (SELECT d.municipality_id AS m, count(*) AS n FROM d GROUP BY 1) x;
    tally := tally || counted;
    DELETE FROM consents k WHERE k.citizen_id = ANY (anonymise);
    DELETE FROM citizen_relations r WHERE r.mentee_id = ANY (anonymise) OR r.relative_id = ANY (anonymise);
    DELETE FROM member_conflicts c WHERE c.citizen_id = ANY (anonymise);
    DELETE FROM retention_holds h WHERE h.citizen_id = ANY (anonymise);

    -- 2. Courses whose participants are all anonymised lose their free text.
    SELECT coalesce(array_agg(c.id), '{}') INTO gone_courses
      FROM courses c
     WHERE c.anonymised_on IS NULL
       AND EXISTS (SELECT 1 FROM course_participants p WHERE p.course_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
                        WHERE p.course_id = c.id AND y.anonymised_on IS NULL);
    WITH d AS (
        UPDATE courses c SET
            title = '', end_note = '', cancel_reason = '', match_override_reason = '',
            referred_on = date_trunc('month', c.referred_on)::date,
            matched_on = date_trunc('month', c.matched_on)::date,
            started_on = date_trunc('month', c.started_on)::date,
            planned_end_on = date_trunc('month', c.planned_end_on)::date,
            ended_on = date_trunc('month', c.ended_on)::date,
            closed_on = date_trunc('month', c.closed_on)::date,
            next_meeting_at = NULL, next_meeting_minutes = NULL, next_meeting_place = '',
            anonymised_on = p_today,
            version = c.version + 1,
            created_at = date_trunc('month', c.created_at),
            updated_at = date_trunc('month', now())
        WHERE c.id = ANY (gone_courses)
        RETURNING c.municipality_id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'courses_anonymised', 'n', x.n)), '[]')
      INTO counted FROM (SELECT d.municipality_id AS m, count(*) AS n FROM d GROUP BY 1) x;
    tally := tally || counted;
    UPDATE course_events e SET note = '', at = date_trunc('month', e.at)
     WHERE e.course_id = ANY (gone_courses);
    DELETE FROM course_session_versions v
     WHERE v.session_id IN (SELECT s.id FROM course_sessions s WHERE s.course_id = ANY (gone_courses));
    UPDATE course_sessions s SET participants = '', notes = '', next_step = '',
           held_on = date_trunc('month', s.held_on)::date,
           created_at = date_trunc('month', s.created_at), updated_at = date_trunc('month', s.updated_at)
     WHERE s.course_id = ANY (gone_courses);
    UPDATE tool_answers t SET answers = retention_strip(t.answers, p_choice_keys),
           filled_on = date_trunc('month', t.filled_on)::date, created_at = date_trunc('month', t.created_at)
     WHERE t.course_id = ANY (gone_courses);
    UPDATE loans l SET needs = 'Anonymiseret', forward_note = '', decline_reason = ''
     WHERE l.course_id = ANY (gone_courses);

    -- 3. Citizens referred and never started are deleted, with the courses only they took
    --    part in (never started either, by the rule that chose them).
    SELECT coalesce(array_agg(c.id), '{}') INTO gone_courses
      FROM courses c
     WHERE EXISTS (SELECT 1 FROM course_participants p WHERE p.course_id = c.id AND p.citizen_id = ANY (erase))
       AND NOT EXISTS (SELECT 1 FROM course_participants p
                        WHERE p.course_id = c.id AND NOT (p.citizen_id = ANY (erase)));
    DELETE FROM measurements m WHERE m.course_id = ANY (gone_courses);
    DELETE FROM tool_answers t WHERE t.course_id = ANY (gone_courses);
    DELETE FROM course_session_versions v
     WHERE v.session_id IN (SELECT s.id FROM course_sessions s WHERE s.course_id = ANY (gone_courses));
    DELETE FROM course_sessions s WHERE s.course_id = ANY (gone_courses);
    DELETE FROM course_events e WHERE e.course_id = ANY (gone_courses);
    DELETE FROM course_participants p WHERE p.course_id = ANY (gone_courses) OR p.citizen_id = ANY (erase);
    WITH d AS (
        DELETE FROM courses c WHERE c.id = ANY (gone_courses) RETURNING c.id, c.municipality_id
    ), noted AS (
        INSERT INTO retention_erased (subject_type, subject_id, erased_on)
        SELECT 'course', d.id, p_today FROM d
        ON CONFLICT DO NOTHING
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'courses_deleted', 'n', x.n)), '[]')
      INTO counted FROM (SELECT d.municipality_id AS m, count(*) AS n FROM d GROUP BY 1) x;
    tally := tally || counted;
    DELETE FROM consents k WHERE k.citizen_id = ANY (erase);
    DELETE FROM citizen_relations r WHERE r.mentee_id = ANY (erase) OR r.relative_id = ANY (erase);
    DELETE FROM member_conflicts c WHERE c.citizen_id = ANY (erase);
    DELETE FROM retention_holds h WHERE h.citizen_id = ANY (erase);
    WITH d AS (
        DELETE FROM citizens y WHERE y.id = ANY (erase) RETURNING y.id, y.municipality_id
    ), noted AS (
        INSERT INTO retention_erased (subject_type, subject_id, erased_on)
        SELECT 'citizen', d.id, p_today FROM d
        ON CONFLICT DO NOTHING
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'citizens_deleted', 'n', x.n)), '[]')
      INTO counted FROM (SELECT d.municipality_id AS m, count(*) AS n FROM d GROUP BY 1) x;
    tally := tally || counted;

    -- 4. Accounts deactivated for longer than the retention period (the longest of the
    --    municipalities they worked in; 5 years for national staff).
    SELECT coalesce(array_agg(u.id), '{}') INTO accounts
      FROM users u
     WHERE NOT u.active AND u.anonymised_on IS NULL AND u.deactivated_on IS NOT NULL
       AND (u.deactivated_on + make_interval(years => coalesce(
                (SELECT max(mu.retention_years) FROM memberships ms
                   JOIN municipalities mu ON mu.id = ms.municipality_id
                  WHERE ms.user_id = u.id), 5)))::date <= p_today;
    SELECT coalesce(array_agg(cm.id), '{}') INTO members FROM corps_members cm WHERE cm.user_id = ANY (accounts);
    DELETE FROM login_attempts a WHERE a.account IN (SELECT lower(u.email) FROM users u WHERE u.id = ANY (accounts));
    DELETE FROM second_factors s WHERE s.user_id = ANY (accounts);
    DELETE FROM recovery_codes r WHERE r.user_id = ANY (accounts);
    DELETE FROM account_links l WHERE l.user_id = ANY (accounts);
    DELETE FROM user_sessions s WHERE s.user_id = ANY (accounts);
    DELETE FROM known_devices d WHERE d.user_id = ANY (accounts);
    DELETE FROM calendar_feeds f WHERE f.user_id = ANY (accounts);
    DELETE FROM notices x WHERE x.user_id = ANY (accounts);
    DELETE FROM outbox o WHERE o.user_id = ANY (accounts);
    DELETE FROM form_submissions f WHERE f.user_id = ANY (accounts);
    UPDATE corps_members cm SET notes = '', birth_year = NULL, cultural_background = NULL,
           languages = '{}', version = cm.version + 1, updated_at = now()
     WHERE cm.id = ANY (members);
    UPDATE tool_answers t SET answers = retention_strip(t.answers, p_choice_keys)
     WHERE t.coaching_id IN (SELECT c.id FROM coaching_log c WHERE c.member_id = ANY (members));
    UPDATE coaching_log c SET notes = '', next_step = '' WHERE c.member_id = ANY (members);
    UPDATE users u SET name = 'Anonymiseret', email = 'anonymiseret-' || u.id || '@invalid.invalid',
           password_hash = '', digest = 'off', must_change_password = false,
           anonymised_on = p_today, session_generation = u.session_generation + 1,
           version = u.version + 1, updated_at = now()
     WHERE u.id = ANY (accounts);
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'accounts_anonymised', 'n', x.n)), '[]')
      INTO counted
      FROM (SELECT ms.municipality_id AS m, count(DISTINCT ms.user_id) AS n
              FROM memberships ms WHERE ms.user_id = ANY (accounts) GROUP BY 1) x;
    tally := tally || counted;

    -- 5. Audit entries that have outlived what they describe by a year.
    PERFORM set_config('korps.retention', 'on', true);
    WITH gone_citizens AS (
        SELECT y.id FROM citizens y WHERE y.anonymised_on <= p_today - interval '1 year'
        UNION ALL
        SELECT e.subject_id FROM retention_erased e
         WHERE e.subject_type = 'citizen' AND e.erased_on <= p_today - interval '1 year'
    ), gone AS (
        SELECT c.id FROM courses c WHERE c.anonymised_on <= p_today - interval '1 year'
        UNION ALL
        SELECT e.subject_id FROM retention_erased e
         WHERE e.subject_type = 'course' AND e.erased_on <= p_today - interval '1 year'
    ), d AS (
        DELETE FROM audit_log a
         WHERE a.citizen_id IN (SELECT g.id FROM gone_citizens g)
            OR (a.subject_type = 'citizen' AND a.subject_id IN (SELECT g.id FROM gone_citizens g))
            OR (a.subject_type = 'course' AND a.subject_id IN (SELECT g.id FROM gone g))
            OR (a.citizen_id IS NULL AND coalesce(a.subject_type, '') NOT IN ('citizen', 'course')
                AND a.at < (p_today - make_interval(years => 1 + coalesce(
                        (SELECT mu.retention_years FROM municipalities mu WHERE mu.id = a.municipality_id), 5)))
                           ::timestamp AT TIME ZONE 'Europe/Copenhagen')
        RETURNING a.municipality_id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('m', x.m, 'what', 'audit_entries_deleted', 'n', x.n)), '[]')
      INTO counted FROM (SELECT d.municipality_id AS m, count(*) AS n FROM d GROUP BY 1) x;
    tally := tally || counted;
    PERFORM set_config('korps.retention', '', true);
    DELETE FROM retention_erased e WHERE e.erased_on <= p_today - interval '1 year';

    -- 6. The day, and what was done, per municipality: counts only.
    INSERT INTO retention_runs (day) VALUES (p_today)
        ON CONFLICT (day) DO UPDATE SET ran_at = now();
    INSERT INTO audit_log (id, municipality_id, actor_id, action, subject_type, subject_id, details)
    SELECT gen_random_uuid(), t.m, NULL, 'retention_run',
           CASE WHEN t.m IS NOT NULL THEN 'municipality' END, t.m,
           jsonb_object_agg(t.what, t.n) || jsonb_build_object('day', p_today)
      FROM jsonb_to_recordset(tally) AS t(m uuid, what text, n bigint)
     GROUP BY t.m;

    RETURN QUERY SELECT t.m, t.what, t.n FROM jsonb_to_recordset(tally) AS t(m uuid, what text, n bigint);
END
$$;
REVOKE ALL ON FUNCTION retention_run(date, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_run(date, text[]) TO korps_app;

-- What the run deletes and changes beyond what korps_app may (korps_definer_setup copies
-- korps_app's writes; these are the run's own).
GRANT DELETE ON audit_log, consents, citizens, courses, course_events, course_sessions,
    course_session_versions, tool_answers, measurements, retention_holds, second_factors,
    recovery_codes, account_links, user_sessions, known_devices, calendar_feeds, notices,
    outbox, form_submissions, login_attempts TO korps_definer;
GRANT UPDATE ON tool_answers, loans, users, corps_members, coaching_log TO korps_definer;
GRANT SELECT, INSERT, DELETE ON retention_erased TO korps_definer;
GRANT SELECT, INSERT, UPDATE ON retention_runs TO korps_definer;

CALL korps_definer_setup();
