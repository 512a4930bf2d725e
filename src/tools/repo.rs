//! SQL for filled tools and their measurements.

use serde_json::{Map, Value};
use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::vocab::{MeasurementKind, ToolPhase};

pub struct Target {
    pub course_id: Option<Uuid>,
    pub coaching_id: Option<Uuid>,
}

/// A filled tool, ready to store.
pub struct NewAnswer<'a> {
    pub target: Target,
    pub tool: &'a str,
    pub version: i16,
    pub phase: Option<ToolPhase>,
    pub answers: &'a Map<String, Value>,
    pub filled_on: Date,
}

/// Stores a filled tool and its measurements; returns the answer's id.
pub async fn insert(
    tx: &mut TenantTx,
    new: NewAnswer<'_>,
    measures: &[(MeasurementKind, f64)],
) -> Result<Uuid, sqlx::Error> {
    let NewAnswer {
        target,
        tool,
        version,
        phase,
        answers,
        filled_on,
    } = new;
    let id = Uuid::now_v7();
    let municipality_id = tx.scope().municipality_id();
    sqlx::query!(
        // A course's answer belongs to the course's municipality (for a lent member, the
        // receiving one); a coaching card to the coordinator's own.
        "INSERT INTO tool_answers (id, municipality_id, course_id, coaching_id, tool, version, phase, answers, filled_on, filled_by)
         VALUES ($1, coalesce((SELECT c.municipality_id FROM courses c WHERE c.id = $3), $2), $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        municipality_id,
        target.course_id,
        target.coaching_id,
        tool,
        version,
        phase as _,
        Value::Object(answers.clone()),
        filled_on,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    if let Some(course_id) = target.course_id {
        for (kind, value) in measures {
            sqlx::query!(
                "INSERT INTO measurements (id, municipality_id, course_id, answer_id, kind, value, measured_on)
                 SELECT $1, a.municipality_id, $2, a.id, $4, $5::float8, $6 FROM tool_answers a WHERE a.id = $3",
                Uuid::now_v7(),
                course_id,
                id,
                *kind as _,
                value,
                filled_on
            )
            .execute(tx.conn())
            .await?;
        }
    }
    Ok(id)
}

pub struct Filled {
    pub id: Uuid,
    pub tool: String,
    pub version: i16,
    pub phase: Option<ToolPhase>,
    pub answers: Value,
    pub filled_on: Date,
    pub filled_by: Option<String>,
}

pub async fn for_course(tx: &mut TenantTx, course_id: Uuid) -> Result<Vec<Filled>, sqlx::Error> {
    sqlx::query_as!(
        Filled,
        r#"SELECT a.id, a.tool, a.version, a.phase AS "phase: ToolPhase", a.answers, a.filled_on, u.name AS "filled_by?"
           FROM tool_answers a LEFT JOIN users u ON u.id = a.filled_by
           WHERE a.course_id = $1 ORDER BY a.filled_on DESC, a.created_at DESC"#,
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn get(
    tx: &mut TenantTx,
    course_id: Uuid,
    id: Uuid,
) -> Result<Option<Filled>, sqlx::Error> {
    Ok(for_course(tx, course_id)
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

pub async fn for_coaching(
    tx: &mut TenantTx,
    coaching_ids: &[Uuid],
) -> Result<Vec<(Uuid, Value)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT coaching_id AS "coaching_id!", answers FROM tool_answers WHERE coaching_id = ANY ($1)"#,
        coaching_ids
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.coaching_id, r.answers))
        .collect())
}

pub struct Point {
    pub kind: MeasurementKind,
    pub value: f64,
    pub measured_on: Date,
}

pub async fn measurements(tx: &mut TenantTx, course_id: Uuid) -> Result<Vec<Point>, sqlx::Error> {
    sqlx::query_as!(
        Point,
        r#"SELECT kind AS "kind: MeasurementKind", value::float8 AS "value!", measured_on
           FROM measurements WHERE course_id = $1 ORDER BY measured_on, kind"#,
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Rating {
    pub course_id: Uuid,
    pub value: f64,
    pub measured_on: Date,
}

/// The progress ratings of several courses, oldest first (the member's start page).
pub async fn ratings(tx: &mut TenantTx, course_ids: &[Uuid]) -> Result<Vec<Rating>, sqlx::Error> {
    sqlx::query_as!(
        Rating,
        r#"SELECT course_id, value::float8 AS "value!", measured_on FROM measurements
           WHERE course_id = ANY ($1) AND kind = 'progress' ORDER BY measured_on"#,
        course_ids
    )
    .fetch_all(tx.conn())
    .await
}
