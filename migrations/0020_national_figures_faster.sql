-- The national evaluation figures asked `evaluation_consented(course)` once per course or
-- measurement: at ten times the corps the monthly progress took 3.3 s and the pre/post
-- change and the background 1.5 s each. The same rule (0015: every participant has
-- consented, or kept the consent when anonymised) as one anti-join over all courses,
-- which the functions below join once: about 25 ms each at ten times the corps.

CREATE FUNCTION evaluation_consented_courses() RETURNS TABLE (course_id uuid)
LANGUAGE sql STABLE SET search_path = public AS $$
    SELECT c.id FROM courses c
    WHERE NOT EXISTS (
        SELECT 1 FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
        WHERE p.course_id = c.id
          AND CASE WHEN y.anonymised_on IS NOT NULL THEN NOT coalesce(y.evaluation_consent_kept, false)
                   ELSE NOT EXISTS (SELECT 1 FROM consents k WHERE k.citizen_id = p.citizen_id
                                      AND k.kind = 'evaluation' AND k.withdrawn_on IS NULL) END
    )
$$;
REVOKE ALL ON FUNCTION evaluation_consented_courses() FROM PUBLIC;

CREATE OR REPLACE FUNCTION national_change(p_kind text, p_from date, p_to date)
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
          AND c.id IN (SELECT course_id FROM evaluation_consented_courses())
        GROUP BY c.id, c.municipality_id, split_part(m.kind, '_', 1)
    )
    SELECT municipality_id, measure, count(*), sum(post - pre)::float8
    FROM pairs WHERE pre IS NOT NULL AND post IS NOT NULL
    GROUP BY 1, 2
$$;

CREATE OR REPLACE FUNCTION national_progress(p_kind text, p_from date, p_to date)
RETURNS TABLE (municipality_id uuid, month date, courses bigint, ratings bigint, total float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.municipality_id, date_trunc('month', m.measured_on)::date, count(DISTINCT c.id),
           count(*), sum(m.value)::float8
    FROM measurements m JOIN courses c ON c.id = m.course_id
    WHERE app_is_national() AND m.kind = 'progress' AND (p_kind = '' OR c.kind = p_kind)
      AND m.measured_on BETWEEN p_from AND p_to
      AND c.id IN (SELECT course_id FROM evaluation_consented_courses())
    GROUP BY 1, 2
$$;

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
      AND c.id IN (SELECT course_id FROM evaluation_consented_courses())
    GROUP BY 1, 2, 3
$$;

CALL korps_definer_setup();
