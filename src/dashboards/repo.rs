//! SQL for the coordinator's overview: counts over the municipality's courses.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::vocab::{CourseKind, CourseState, Scale};

/// The courses a dashboard looks at: of a kind and a member (or all), alive in the period.
pub struct Filter {
    pub kind: String,
    pub member_id: Option<Uuid>,
    pub from: Date,
    pub to: Date,
}

pub struct KindState {
    pub kind: CourseKind,
    pub state: CourseState,
    pub count: i64,
}

pub async fn courses_by_kind_and_state(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<KindState>, sqlx::Error> {
    sqlx::query_as!(
        KindState,
        r#"SELECT kind AS "kind: CourseKind", state AS "state: CourseState", count(*) AS "count!" FROM courses
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
    pub measure: Scale,
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
           SELECT measure AS "measure!: Scale", count(*) AS "courses!", avg(post - pre)::float8 AS average_change
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

// The national dashboard reads aggregates only, per municipality, through the
// `national_*` functions (migration 0004): national staff cannot read a single course.

#[derive(Debug, Clone)]
pub struct NationalCorps {
    pub municipality_id: Uuid,
    pub members: i64,
    pub trained: i64,
}

pub async fn national_corps(tx: &mut TenantTx) -> Result<Vec<NationalCorps>, sqlx::Error> {
    sqlx::query_as!(
        NationalCorps,
        r#"SELECT municipality_id AS "municipality_id!", members AS "members!", trained AS "trained!"
           FROM national_corps()"#
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct NationalCourses {
    pub municipality_id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub courses: i64,
}

pub async fn national_courses(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<NationalCourses>, sqlx::Error> {
    sqlx::query_as!(
        NationalCourses,
        r#"SELECT municipality_id AS "municipality_id!", kind AS "kind!: CourseKind",
                  state AS "state!: CourseState", courses AS "courses!"
           FROM national_courses($1, $2, $3)"#,
        f.kind,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct NationalChange {
    pub municipality_id: Uuid,
    pub measure: Scale,
    pub courses: i64,
    pub total_change: f64,
}

pub async fn national_change(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<NationalChange>, sqlx::Error> {
    sqlx::query_as!(
        NationalChange,
        r#"SELECT municipality_id AS "municipality_id!", measure AS "measure!: Scale",
                  courses AS "courses!", total_change AS "total_change!"
           FROM national_change($1, $2, $3)"#,
        f.kind,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct NationalCompleteness {
    pub municipality_id: Uuid,
    pub active: i64,
    pub rated: i64,
    pub measured: i64,
}

pub async fn national_completeness(
    tx: &mut TenantTx,
    kind: &str,
    rated_since: Date,
) -> Result<Vec<NationalCompleteness>, sqlx::Error> {
    sqlx::query_as!(
        NationalCompleteness,
        r#"SELECT municipality_id AS "municipality_id!", active AS "active!", rated AS "rated!",
                  measured AS "measured!"
           FROM national_completeness($1, $2)"#,
        kind,
        rated_since
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct MonthlyRatings {
    pub municipality_id: Uuid,
    pub month: Date,
    /// The courses rated in the month: what small-cell suppression counts.
    pub courses: i64,
    pub ratings: i64,
    pub total: f64,
}

pub async fn national_progress(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<MonthlyRatings>, sqlx::Error> {
    sqlx::query_as!(
        MonthlyRatings,
        r#"SELECT municipality_id AS "municipality_id!", month AS "month!", courses AS "courses!",
                  ratings AS "ratings!", total AS "total!"
           FROM national_progress($1, $2, $3)"#,
        f.kind,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct NationalBackground {
    pub municipality_id: Uuid,
    pub age_band: String,
    pub gender: String,
    pub courses: i64,
}

pub async fn national_background(
    tx: &mut TenantTx,
    f: &Filter,
    this_year: i16,
) -> Result<Vec<NationalBackground>, sqlx::Error> {
    sqlx::query_as!(
        NationalBackground,
        r#"SELECT municipality_id AS "municipality_id!", age_band AS "age_band!", gender AS "gender!",
                  courses AS "courses!"
           FROM national_background($1, $2, $3, $4)"#,
        f.kind,
        f.from,
        f.to,
        this_year
    )
    .fetch_all(tx.conn())
    .await
}

/// The coordinator's progress trend: the municipality's ratings per month.
pub async fn monthly_ratings(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<MonthlyRatings>, sqlx::Error> {
    sqlx::query_as!(
        MonthlyRatings,
        r#"SELECT c.municipality_id, date_trunc('month', m.measured_on)::date AS "month!",
                  count(DISTINCT c.id) AS "courses!", count(*) AS "ratings!", sum(m.value)::float8 AS "total!"
           FROM measurements m JOIN courses c ON c.id = m.course_id
           WHERE c.municipality_id = $1 AND m.kind = 'progress' AND ($2 = '' OR c.kind = $2)
             AND ($3::uuid IS NULL OR c.member_id = $3) AND m.measured_on BETWEEN $4 AND $5
           GROUP BY 1, 2 ORDER BY 2"#,
        tx.scope().municipality_id(),
        f.kind,
        f.member_id,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

pub struct MemberLoad {
    pub member_id: Uuid,
    pub open_courses: i64,
    pub capacity: i16,
    pub coachings: i64,
    pub last_coaching: Option<Date>,
}

/// Each member's load (courses that take a place) and the coordinator's coaching of them
/// in the period.
pub async fn member_load(tx: &mut TenantTx, f: &Filter) -> Result<Vec<MemberLoad>, sqlx::Error> {
    sqlx::query_as!(
        MemberLoad,
        r#"SELECT cm.id AS member_id, cm.capacity,
                  (SELECT count(*) FROM courses c WHERE c.member_id = cm.id
                     AND c.state IN ('matched', 'pre_meeting', 'active', 'ending')) AS "open_courses!",
                  (SELECT count(*) FROM coaching_log k WHERE k.member_id = cm.id
                     AND k.held_on BETWEEN $2 AND $3) AS "coachings!",
                  (SELECT max(k.held_on) FROM coaching_log k WHERE k.member_id = cm.id) AS last_coaching
           FROM corps_members cm WHERE cm.municipality_id = $1"#,
        tx.scope().municipality_id(),
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct LoanFigures {
    pub municipality_id: Uuid,
    pub received: i64,
    pub lent: i64,
    pub hours: f64,
}

/// Agreed and ended loans that touch the period, per municipality as receiver and as
/// lender, with the hours logged on them (the national centre sees every loan anyway).
pub async fn national_loans(
    tx: &mut TenantTx,
    f: &Filter,
) -> Result<Vec<LoanFigures>, sqlx::Error> {
    sqlx::query_as!(
        LoanFigures,
        r#"WITH chosen AS (
             SELECT id, municipality_id, lending_municipality_id,
                    coalesce(settled_hours, loan_hours(id))::float8 AS hours
             FROM loans
             WHERE state IN ('agreed', 'ended') AND ($1 = '' OR kind = $1)
               AND period_from <= $3 AND coalesce(ended_on, period_to) >= $2
           ), sides AS (
             SELECT municipality_id AS m, 1 AS received, 0 AS lent, hours FROM chosen
             UNION ALL
             SELECT lending_municipality_id, 0, 1, 0 FROM chosen
           )
           SELECT m AS "municipality_id!", sum(received)::int8 AS "received!", sum(lent)::int8 AS "lent!",
                  sum(hours)::float8 AS "hours!"
           FROM sides GROUP BY m"#,
        f.kind,
        f.from,
        f.to
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct CoursesPerYear {
    pub municipality_id: Uuid,
    pub year: i32,
    pub courses: i64,
}

/// Courses of a kind (or all) per municipality by the year they were referred: the
/// corps' trend over years (migration 0019).
pub async fn national_courses_per_year(
    tx: &mut TenantTx,
    kind: &str,
) -> Result<Vec<CoursesPerYear>, sqlx::Error> {
    sqlx::query_as!(
        CoursesPerYear,
        r#"SELECT municipality_id AS "municipality_id!", year AS "year!", courses AS "courses!"
           FROM national_courses_per_year($1) ORDER BY year"#,
        kind
    )
    .fetch_all(tx.conn())
    .await
}
