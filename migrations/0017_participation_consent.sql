-- No session or tool is recorded for a participant whose consent to take part is missing
-- or withdrawn (PRODUCT.md, consents). The check must also work for a lent member, who
-- works on another municipality's course and cannot read its consents: this function
-- answers only which participants of a course the caller works on lack that consent —
-- ids, never the consents themselves.
CREATE FUNCTION participation_missing(p_course uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p.citizen_id
    FROM course_participants p JOIN courses c ON c.id = p.course_id
    WHERE p.course_id = p_course
      AND (c.municipality_id = app_municipality_id() OR p_course IN (SELECT app_loan_courses()))
      AND NOT EXISTS (SELECT 1 FROM consents k
                      WHERE k.citizen_id = p.citizen_id AND k.kind = 'participation'
                        AND k.withdrawn_on IS NULL)
$$;
REVOKE ALL ON FUNCTION participation_missing(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION participation_missing(uuid) TO korps_app;

CALL korps_definer_setup();
