//! SQL for the coordinator's overview: counts over the municipality's courses.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;

/// The courses a dashboard looks at: of a kind and a member (or all), alive in the period.
pub struct Filter {
    pub kind: String,
    pub member_id: Option<Uuid>,
    pub from: Date,
    pub to: Date,
}

pub struct KindState {
    pub kind: String,
    pub state: String,
    pub count: i64,
}

pub async fn courses_by_kind_and_state(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<KindState>, sqlx::Error> {
    sqlx::query_as!(
        KindState,
        r#"SELECT kind, state, count(*) AS "count!" FROM courses
           WHERE municipality_id = $1 AND ($2 = '' OR kind = $2) AND ($3::uuid IS NULL OR member_id = $3)
             AND referred_on <= $5 AND coalesce(closed_on, 'infinity'::date) >= $4
           GROUP BY kind, state"#,
        tx.scope().municipality_id(),
        f.kind,
        f.member_id,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Background {
    pub age_band: String,
    pub gender: String,
    pub count: i64,
}

/// Age band and gender of each course's first participant (the mentee, or the parent).
pub async fn background(
    tx: &mut TenantTx,
    f: &Filter,
    this_year: i16,
) -> Result<Vec<Background>, sqlx::Error> {
    sqlx::query_as!(
        Background,
        r#"SELECT CASE WHEN z.birth_year IS NULL THEN 'unknown'
                       WHEN $6 - z.birth_year < 18 THEN 'under_18'
                       WHEN $6 - z.birth_year < 25 THEN '18_to_24'
                       ELSE '25_plus' END AS "age_band!",
                  coalesce(z.gender, 'unknown') AS "gender!", count(*) AS "count!"
           FROM courses c
           JOIN LATERAL (
             SELECT y.birth_year, y.gender FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
             WHERE p.course_id = c.id ORDER BY y.kind = 'mentee' DESC, p.joined_on LIMIT 1
           ) z ON true
           WHERE c.municipality_id = $1 AND ($2 = '' OR c.kind = $2) AND ($3::uuid IS NULL OR c.member_id = $3)
             AND c.referred_on <= $5 AND coalesce(c.closed_on, 'infinity'::date) >= $4
           GROUP BY 1, 2"#,
        tx.scope().municipality_id(),
        f.kind,
        f.member_id,
        f.from,
        f.to,
        this_year
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Change {
    pub measure: String,
    pub courses: i64,
    pub average_change: Option<f64>,
}

/// The average change from the first pre to the last post measurement, per measure, over
/// the courses that have both.
pub async fn pre_post_change(tx: &mut TenantTx, f: &Filter) -> Result<Vec<Change>, sqlx::Error> {
    sqlx::query_as!(
        Change,
        r#"WITH chosen AS (
             SELECT id FROM courses
             WHERE municipality_id = $1 AND ($2 = '' OR kind = $2) AND ($3::uuid IS NULL OR member_id = $3)
               AND referred_on <= $5 AND coalesce(closed_on, 'infinity'::date) >= $4
           ), pairs AS (
             SELECT m.course_id, split_part(m.kind, '_', 1) AS measure,
                    (array_agg(m.value ORDER BY m.measured_on) FILTER (WHERE m.kind LIKE '%\_pre'))[1] AS pre,
                    (array_agg(m.value ORDER BY m.measured_on DESC) FILTER (WHERE m.kind LIKE '%\_post'))[1] AS post
             FROM measurements m JOIN chosen c ON c.id = m.course_id
             WHERE m.kind IN ('wellbeing_pre', 'wellbeing_post', 'mastery_pre', 'mastery_post')
             GROUP BY m.course_id, split_part(m.kind, '_', 1)
           )
           SELECT measure AS "measure!", count(*) AS "courses!", avg(post - pre)::float8 AS average_change
           FROM pairs WHERE pre IS NOT NULL AND post IS NOT NULL
           GROUP BY measure ORDER BY measure DESC"#,
        tx.scope().municipality_id(),
        f.kind,
        f.member_id,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}
