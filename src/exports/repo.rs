//! SQL for the municipality's exports: one row per course, per session, per measurement.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::vocab::{CourseKind, CourseState, GoalsReached, MeasurementKind, SessionKind};

pub struct CourseRow {
    pub id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub member: Option<String>,
    pub referred_on: Date,
    pub matched_on: Option<Date>,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub goals_reached: Option<GoalsReached>,
    pub participants: i64,
    pub birth_year: Option<i16>,
    pub gender: Option<String>,
    pub sessions: i64,
}

pub async fn courses(tx: &mut TenantTx) -> Result<Vec<CourseRow>, sqlx::Error> {
    sqlx::query_as!(
        CourseRow,
        r#"SELECT c.id, c.kind AS "kind: CourseKind", c.state AS "state: CourseState", u.name AS "member?",
                  c.referred_on, c.matched_on, c.started_on, c.ended_on, c.closed_on,
                  c.goals_reached AS "goals_reached: GoalsReached",
                  (SELECT count(*) FROM course_participants p WHERE p.course_id = c.id) AS "participants!",
                  first.birth_year AS "birth_year?", first.gender AS "gender?",
                  (SELECT count(*) FROM course_sessions s WHERE s.course_id = c.id) AS "sessions!"
           FROM courses c
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           LEFT JOIN LATERAL (
             SELECT z.birth_year, z.gender FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
             WHERE p.course_id = c.id ORDER BY z.kind = 'mentee' DESC, p.joined_on LIMIT 1
           ) first ON true
           WHERE c.municipality_id = $1
           ORDER BY c.referred_on, c.id"#,
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await
}

pub struct SessionRow {
    pub course_id: Uuid,
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: SessionKind,
    pub tools: Vec<String>,
}

/// Sessions without their notes: the notes never leave Korps in an export.
pub async fn sessions(tx: &mut TenantTx) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        r#"SELECT course_id, held_on, duration_minutes, kind AS "kind: SessionKind", tools FROM course_sessions
         WHERE municipality_id = $1 ORDER BY course_id, held_on"#,
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await
}

pub struct MeasurementRow {
    pub course_id: Uuid,
    pub kind: MeasurementKind,
    pub value: f64,
    pub measured_on: Date,
}

pub async fn measurements(tx: &mut TenantTx) -> Result<Vec<MeasurementRow>, sqlx::Error> {
    sqlx::query_as!(
        MeasurementRow,
        r#"SELECT course_id, kind AS "kind: MeasurementKind", value::float8 AS "value!", measured_on FROM measurements
           WHERE municipality_id = $1 ORDER BY course_id, measured_on, kind"#,
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await
}
