//! SQL for loans. Row-level security decides who sees a loan: the receiving and the
//! lending municipality and the national centre (migration 0007).

use time::Date;
use uuid::Uuid;

use super::model::{LoanState, Request};
use crate::db::TenantTx;
use crate::vocab::CourseKind;

pub struct Loan {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub course_id: Uuid,
    pub kind: CourseKind,
    pub needs: String,
    pub languages: Vec<String>,
    pub period_from: Date,
    pub period_to: Date,
    pub hours_per_week: f64,
    pub state: LoanState,
    pub lending_municipality_id: Option<Uuid>,
    pub lending_name: Option<String>,
    pub forward_note: String,
    pub decline_reason: String,
    pub member_id: Option<Uuid>,
    pub member_name: Option<String>,
    pub hourly_rate: Option<f64>,
    pub agreed_on: Option<Date>,
    pub assigned_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub settled_hours: Option<f64>,
    pub version: i32,
    pub created_on: Date,
}

/// One loan as its parties see it. The lent member's name comes through the loan's own
/// join (the receiving side cannot read the lending side's users otherwise).
pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<Loan>, sqlx::Error> {
    sqlx::query_as!(
        Loan,
        r#"SELECT l.id, l.municipality_id, r.name AS municipality_name, l.course_id,
                  l.kind AS "kind: CourseKind", l.needs,
                  l.languages, l.period_from, l.period_to, l.hours_per_week::float8 AS "hours_per_week!",
                  l.state AS "state: LoanState", l.lending_municipality_id, g.name AS "lending_name?", l.forward_note,
                  l.decline_reason, l.member_id, u.name AS "member_name?",
                  l.hourly_rate::float8 AS hourly_rate, l.agreed_on, l.assigned_on, l.ended_on,
                  l.settled_hours::float8 AS settled_hours, l.version,
                  (l.created_at AT TIME ZONE 'Europe/Copenhagen')::date AS "created_on!"
           FROM loans l
           JOIN municipalities r ON r.id = l.municipality_id
           LEFT JOIN municipalities g ON g.id = l.lending_municipality_id
           LEFT JOIN corps_members cm ON cm.id = l.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           WHERE l.id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct Row {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub lending_name: Option<String>,
    pub kind: CourseKind,
    pub period_from: Date,
    pub period_to: Date,
    pub hours_per_week: f64,
    pub state: LoanState,
    pub member_name: Option<String>,
}

/// Which loans a list shows: all, the open ones, or those in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    All,
    Open,
    Only(LoanState),
}

impl StateFilter {
    /// The (one state, open only) pair the list queries bind.
    fn binds(self) -> (Option<LoanState>, bool) {
        match self {
            StateFilter::All => (None, false),
            StateFilter::Open => (None, true),
            StateFilter::Only(state) => (Some(state), false),
        }
    }
}

/// How many loans the transaction may see in `filter`.
async fn count(tx: &mut TenantTx, filter: StateFilter) -> Result<i64, sqlx::Error> {
    let (state, open) = filter.binds();
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
           FROM loans l
           JOIN municipalities r ON r.id = l.municipality_id
           WHERE ($1::text IS NULL AND NOT $2) OR l.state = $1
              OR ($2 AND l.state IN ('requested', 'forwarded', 'declined'))"#,
        state as _,
        open
    )
    .fetch_one(tx.conn())
    .await
}

/// One page of the loans the transaction may see in `filter`, open ones first, newest
/// first, and how many there are in all.
pub async fn page(
    tx: &mut TenantTx,
    filter: StateFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let (state, open) = filter.binds();
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT l.id, l.municipality_id, r.name AS municipality_name, g.name AS "lending_name?",
                  l.kind AS "kind: CourseKind", l.period_from, l.period_to,
                  l.hours_per_week::float8 AS "hours_per_week!", l.state AS "state: LoanState",
                  u.name AS "member_name?"
           FROM loans l
           JOIN municipalities r ON r.id = l.municipality_id
           LEFT JOIN municipalities g ON g.id = l.lending_municipality_id
           LEFT JOIN corps_members cm ON cm.id = l.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           WHERE ($1::text IS NULL AND NOT $2) OR l.state = $1
              OR ($2 AND l.state IN ('requested', 'forwarded', 'declined'))
           ORDER BY l.state IN ('requested', 'forwarded', 'declined', 'agreed') DESC, l.created_at DESC, l.id DESC
           LIMIT $3 OFFSET $4"#,
        state as _,
        open,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    Ok((rows, count(tx, filter).await?))
}

pub async fn insert(
    tx: &mut TenantTx,
    course_id: Uuid,
    kind: CourseKind,
    request: &Request,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO loans (id, municipality_id, course_id, kind, needs, languages, period_from, period_to,
                            hours_per_week, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::float8, $10)",
        id,
        tx.scope().municipality_id(),
        course_id,
        kind as _,
        request.needs,
        &request.languages,
        request.period_from,
        request.period_to,
        request.hours_per_week,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// The loan row, locked, with its state and version: every step checks both.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> Result<Option<(LoanState, i32)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT state AS "state: LoanState", version FROM loans WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(tx.conn())
    .await?
    .map(|r| (r.state, r.version)))
}

pub async fn forward(
    tx: &mut TenantTx,
    id: Uuid,
    lending: Uuid,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE loans SET state = 'forwarded', lending_municipality_id = $2, forward_note = $3,
                decline_reason = '', version = version + 1
         WHERE id = $1",
        id,
        lending,
        note
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn decline(tx: &mut TenantTx, id: Uuid, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE loans SET state = 'declined', decline_reason = $2, version = version + 1 WHERE id = $1",
        id,
        reason
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn agree(
    tx: &mut TenantTx,
    id: Uuid,
    member: Uuid,
    rate: f64,
    today: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE loans SET state = 'agreed', member_id = $2, hourly_rate = $3::float8, agreed_on = $4,
                version = version + 1
         WHERE id = $1",
        id,
        member,
        rate,
        today
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn withdraw(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE loans SET state = 'withdrawn', version = version + 1 WHERE id = $1",
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The receiving coordinator gives the waiting course to the lent member.
pub async fn assign(tx: &mut TenantTx, loan: &Loan, today: Date) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query!(
        "UPDATE courses SET member_id = $2, state = 'matched', matched_on = $3, version = version + 1,
                updated_at = now()
         WHERE id = $1 AND state = 'referred' AND municipality_id = $4",
        loan.course_id,
        loan.member_id,
        today,
        loan.municipality_id
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    if moved == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE loans SET assigned_on = $2, version = version + 1 WHERE id = $1",
        loan.id,
        today
    )
    .execute(tx.conn())
    .await?;
    Ok(true)
}

/// Ends the loan and fixes the settlement: the hours logged in the period.
pub async fn end(tx: &mut TenantTx, id: Uuid, today: Date) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE loans SET state = 'ended', ended_on = $2, settled_hours = loan_hours(id),
                version = version + 1
         WHERE id = $1",
        id,
        today
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The hours logged so far on the loan's course by the lent member, inside the period.
pub async fn hours(tx: &mut TenantTx, id: Uuid) -> Result<f64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT loan_hours($1)::float8 AS "hours!""#, id)
        .fetch_one(tx.conn())
        .await
}

pub struct Candidate {
    pub member_id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub region: String,
    pub name: String,
    pub gender: Option<String>,
    pub languages: Vec<String>,
    pub experience: Vec<String>,
    pub availability: Vec<String>,
    pub free: i64,
}

/// Members of the corps with a free place for this kind of course, outside the
/// requesting municipality, with the language matches first (national staff only: they
/// read profiles, and the load through `corps_roster_load()`, never a course).
pub async fn candidates(
    tx: &mut TenantTx,
    kind: CourseKind,
    except: Uuid,
    languages: &[String],
) -> Result<Vec<Candidate>, sqlx::Error> {
    sqlx::query_as!(
        Candidate,
        r#"SELECT cm.id AS member_id, cm.municipality_id, mu.name AS municipality_name, mu.region,
                  u.name, cm.gender, cm.languages, cm.experience, cm.availability,
                  (cm.capacity - coalesce(r.load, 0)
                   - (SELECT count(*) FROM loans l WHERE l.member_id = cm.id AND l.state = 'agreed'
                        AND l.assigned_on IS NULL))::int8 AS "free!"
           FROM corps_members cm
           JOIN users u ON u.id = cm.user_id AND u.active
           JOIN municipalities mu ON mu.id = cm.municipality_id
           JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
           LEFT JOIN corps_roster_load() r ON r.member_id = cm.id
           WHERE cm.municipality_id <> $2 AND cm.active AND cm.training_status = 'trained'
             AND CASE $1 WHEN 'mentor' THEN 'mentor' ELSE 'parent_coach' END = ANY (m.roles)
             AND cm.capacity - coalesce(r.load, 0) > 0
           ORDER BY cm.languages && $3 DESC, cm.capacity - coalesce(r.load, 0) DESC, mu.name, u.name"#,
        kind as _,
        except,
        languages
    )
    .fetch_all(tx.conn())
    .await
    .map(|rows| rows.into_iter().filter(|c| c.free > 0).collect())
}

pub struct OwnMember {
    pub id: Uuid,
    pub name: String,
    pub free: i64,
}

/// The lending municipality's own members of the kind, with their free places: courses
/// that take a place here plus every agreed loan (its course, in the other municipality,
/// is out of this municipality's sight).
pub async fn own_members(
    tx: &mut TenantTx,
    kind: CourseKind,
) -> Result<Vec<OwnMember>, sqlx::Error> {
    sqlx::query_as!(
        OwnMember,
        r#"SELECT cm.id, u.name,
                  (cm.capacity
                   - (SELECT count(*) FROM courses c WHERE c.member_id = cm.id
                        AND c.state IN ('matched', 'pre_meeting', 'active', 'ending'))
                   - (SELECT count(*) FROM loans l WHERE l.member_id = cm.id AND l.state = 'agreed'))::int8
                   AS "free!"
           FROM corps_members cm
           JOIN users u ON u.id = cm.user_id AND u.active
           JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
           WHERE cm.municipality_id = $1 AND cm.active AND cm.training_status = 'trained'
             AND CASE $2 WHEN 'mentor' THEN 'mentor' ELSE 'parent_coach' END = ANY (m.roles)
           ORDER BY lower(u.name)"#,
        tx.scope().municipality_id(),
        kind as _
    )
    .fetch_all(tx.conn())
    .await
}

/// Locks the member's row so two answers cannot lend the same last free place.
pub async fn lock_member(tx: &mut TenantTx, member: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM corps_members WHERE id = $1 AND municipality_id = $2 FOR UPDATE",
        member,
        tx.scope().municipality_id()
    )
    .fetch_optional(tx.conn())
    .await?
    .is_some())
}

pub struct LoanCourse {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub kind: CourseKind,
    pub title: String,
    pub citizens: Option<String>,
    pub municipality_name: String,
    pub period_to: Date,
}

/// The courses the signed-in member works on as a lent member (RLS: app_loan_courses()).
pub async fn my_loan_courses(tx: &mut TenantTx) -> Result<Vec<LoanCourse>, sqlx::Error> {
    sqlx::query_as!(
        LoanCourse,
        r#"SELECT c.id, c.municipality_id, c.kind AS "kind: CourseKind", c.title,
                  mu.name AS municipality_name, l.period_to,
                  (SELECT string_agg(z.name, ', ' ORDER BY z.name) FROM course_participants p
                     JOIN citizens z ON z.id = p.citizen_id WHERE p.course_id = c.id) AS citizens
           FROM courses c
           JOIN municipalities mu ON mu.id = c.municipality_id
           JOIN loans l ON l.course_id = c.id AND l.state = 'agreed'
           WHERE c.id IN (SELECT app_loan_courses())
           ORDER BY mu.name"#
    )
    .fetch_all(tx.conn())
    .await
}

/// Counts for the start pages: open requests (national), requests awaiting an answer
/// (lending coordinator), agreed loans whose course is not yet assigned (receiving).
pub struct Waiting {
    pub to_forward: i64,
    pub to_answer: i64,
    pub to_assign: i64,
}

pub async fn waiting(tx: &mut TenantTx) -> Result<Waiting, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"SELECT count(*) FILTER (WHERE state IN ('requested', 'declined')) AS "to_forward!",
                  count(*) FILTER (WHERE state = 'forwarded' AND lending_municipality_id = $1) AS "to_answer!",
                  count(*) FILTER (WHERE state = 'agreed' AND assigned_on IS NULL AND municipality_id = $1) AS "to_assign!"
           FROM loans"#,
        tx.scope().municipality_id()
    )
    .fetch_one(tx.conn())
    .await
}

/// The loan under way for a course, if any (one at a time: a unique index).
pub async fn open_for_course(tx: &mut TenantTx, course: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM loans WHERE course_id = $1
           AND state IN ('requested', 'forwarded', 'declined', 'agreed')",
        course
    )
    .fetch_optional(tx.conn())
    .await
}
