-- The national dashboard's figures. National staff cannot read any municipality's
-- courses, citizens or measurements (RLS), and must not: the national centre sees
-- aggregates only. These functions run as their owner and return counts and sums per
-- municipality — never an id of a course, a citizen or a member — and only to a
-- transaction that has set the national flag. Suppression of small counts ("<5") is done
-- where the figures are shown, after municipalities are added up to regions and the
-- country, so a sum is suppressed by its own size and not by its parts'.

-- Evaluation figures (pre/post change, progress, background) count a course only when
-- every participant has consented to being included in the national evaluation and has
-- not withdrawn it (PRODUCT.md, consents). Course counts and completeness are figures
-- about the municipality's work and count every course.
CREATE FUNCTION evaluation_consented(p_course uuid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM course_participants p
        WHERE p.course_id = p_course
          AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.citizen_id = p.citizen_id
                            AND k.kind = 'evaluation' AND k.withdrawn_on IS NULL)
    )
$$;
REVOKE ALL ON FUNCTION evaluation_consented(uuid) FROM PUBLIC;

-- Active and trained corps members per municipality.
CREATE FUNCTION national_corps()
RETURNS TABLE (municipality_id uuid, members bigint, trained bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT cm.municipality_id, count(*), count(*) FILTER (WHERE cm.training_status = 'trained')
    FROM corps_members cm JOIN users u ON u.id = cm.user_id AND u.active
    WHERE app_is_national() AND cm.active
    GROUP BY cm.municipality_id
$$;

-- Courses of a kind (or all, '') alive in the period, per municipality, kind and state.
CREATE FUNCTION national_courses(p_kind text, p_from date, p_to date)
RETURNS TABLE (municipality_id uuid, kind text, state text, courses bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id, c.kind, c.state, count(*)
    FROM courses c
    WHERE app_is_national() AND (p_kind = '' OR c.kind = p_kind)
      AND c.referred_on <= p_to AND coalesce(c.closed_on, 'infinity'::date) >= p_from
    GROUP BY 1, 2, 3
$$;

-- Pre/post change per measure: the number of courses with both and the sum of their
-- changes (first pre to last post), so regions and the country can be averaged exactly.
CREATE FUNCTION national_change(p_kind text, p_from date, p_to date)
RETURNS TABLE (municipality_id uuid, measure text, courses bigint, total_change float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH pairs AS (
        SELECT c.municipality_id, split_part(m.kind, '_', 1) AS measure,
               (array_agg(m.value ORDER BY m.measured_on) FILTER (WHERE m.kind LIKE '%\_pre'))[1] AS pre,
               (array_agg(m.value ORDER BY m.measured_on DESC) FILTER (WHERE m.kind LIKE '%\_post'))[1] AS post
        FROM courses c JOIN measurements m ON m.course_id = c.id
        WHERE app_is_national() AND (p_kind = '' OR c.kind = p_kind)
          AND c.referred_on <= p_to AND coalesce(c.closed_on, 'infinity'::date) >= p_from
          AND m.kind IN ('wellbeing_pre', 'wellbeing_post', 'mastery_pre', 'mastery_post')
          AND evaluation_consented(c.id)
        GROUP BY c.id, c.municipality_id, split_part(m.kind, '_', 1)
    )
    SELECT municipality_id, measure, count(*), sum(post - pre)::float8
    FROM pairs WHERE pre IS NOT NULL AND post IS NOT NULL
    GROUP BY 1, 2
$$;

-- Data completeness of the active courses: how many, how many with a progress rating
-- since p_rated_since, how many with a pre measurement.
CREATE FUNCTION national_completeness(p_kind text, p_rated_since date)
RETURNS TABLE (municipality_id uuid, active bigint, rated bigint, measured bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id, count(*),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM measurements m WHERE m.course_id = c.id
                                            AND m.kind = 'progress' AND m.measured_on >= p_rated_since)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM measurements m WHERE m.course_id = c.id
                                            AND m.kind IN ('wellbeing_pre', 'mastery_pre')))
    FROM courses c
    WHERE app_is_national() AND c.state = 'active' AND (p_kind = '' OR c.kind = p_kind)
    GROUP BY c.municipality_id
$$;

-- The average progress rating per month: the number of courses rated (what small-cell
-- suppression counts: one course may be rated twice in a month), of ratings, and their sum.
CREATE FUNCTION national_progress(p_kind text, p_from date, p_to date)
RETURNS TABLE (municipality_id uuid, month date, courses bigint, ratings bigint, total float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id, date_trunc('month', m.measured_on)::date, count(DISTINCT c.id),
           count(*), sum(m.value)::float8
    FROM measurements m JOIN courses c ON c.id = m.course_id
    WHERE app_is_national() AND m.kind = 'progress' AND (p_kind = '' OR c.kind = p_kind)
      AND m.measured_on BETWEEN p_from AND p_to AND evaluation_consented(c.id)
    GROUP BY 1, 2
$$;

-- Age band and gender of each course's first participant, per municipality.
CREATE FUNCTION national_background(p_kind text, p_from date, p_to date, p_this_year smallint)
RETURNS TABLE (municipality_id uuid, age_band text, gender text, courses bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id,
           CASE WHEN z.birth_year IS NULL THEN 'unknown'
                WHEN p_this_year - z.birth_year < 18 THEN 'under_18'
                WHEN p_this_year - z.birth_year < 25 THEN '18_to_24'
                ELSE '25_plus' END,
           coalesce(z.gender, 'unknown'), count(*)
    FROM courses c
    JOIN LATERAL (
        SELECT y.birth_year, y.gender FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
        WHERE p.course_id = c.id ORDER BY y.kind = 'mentee' DESC, p.joined_on LIMIT 1
    ) z ON true
    WHERE app_is_national() AND (p_kind = '' OR c.kind = p_kind)
      AND c.referred_on <= p_to AND coalesce(c.closed_on, 'infinity'::date) >= p_from
      AND evaluation_consented(c.id)
    GROUP BY 1, 2, 3
$$;

REVOKE ALL ON FUNCTION national_corps(), national_courses(text, date, date),
    national_change(text, date, date), national_completeness(text, date),
    national_progress(text, date, date), national_background(text, date, date, smallint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION national_corps(), national_courses(text, date, date),
    national_change(text, date, date), national_completeness(text, date),
    national_progress(text, date, date), national_background(text, date, date, smallint)
    TO korps_app;
