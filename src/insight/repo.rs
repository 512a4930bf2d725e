//! SQL for a citizen's insight: the entries of the audit log about one citizen, every
//! record Korps holds about them, and the reads the coordinator's check looks at.
//! Row-level security keeps each query inside the transaction's municipality; the
//! queries name the municipality as well, so a coordinator who is also a lent member
//! never sees the citizen of the loan here.

use sqlx::types::ipnetwork::IpNetwork;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::web::table::Counted;

/// The citizen an insight page is about, if the municipality has them.
pub struct Citizen {
    pub id: Uuid,
    pub name: String,
}

pub async fn citizen(tx: &mut TenantTx, id: Uuid) -> Result<Option<Citizen>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Citizen,
        "SELECT id, name FROM citizens WHERE id = $1 AND municipality_id = $2",
        id,
        municipality_id
    )
    .fetch_optional(tx.conn())
    .await
}

pub async fn municipality_name(tx: &mut TenantTx) -> Result<String, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_scalar!(
        "SELECT name FROM municipalities WHERE id = $1",
        municipality_id
    )
    .fetch_one(tx.conn())
    .await
}

/// Which of a citizen's entries a page shows.
#[derive(Debug, Default, Clone)]
pub struct AccessFilter {
    /// Reads only (`Some(true)`), changes only (`Some(false)`), or both.
    pub reads: Option<bool>,
    pub actor_id: Option<Uuid>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One entry of a citizen's access log.
pub struct AccessEntry {
    /// In Danish time, as shown.
    pub at_local: String,
    pub actor_name: Option<String>,
    /// The actor's roles in the municipality (memberships keep no history: today's).
    pub actor_roles: Option<Vec<String>>,
    /// The actor is a member of another municipality lent to one of its courses.
    pub lent: bool,
    pub action: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    pub details: serde_json::Value,
    pub client_addr: Option<IpNetwork>,
    pub total: i64,
}

impl Counted for AccessEntry {
    fn total(&self) -> i64 {
        self.total
    }
}

/// One page of the entries about `citizen`, newest first, with the number of all that
/// match. An entry is about the citizen when it names them (`citizen_id`), when it was
/// written about their record before entries named citizens (subject citizen), or when
/// it changed a course they take part in without naming anyone (a session logged, a
/// state changed). `read_actions` are the action codes that read rather than change.
pub async fn access_page(
    tx: &mut TenantTx,
    citizen: Uuid,
    filter: &AccessFilter,
    read_actions: &[String],
    limit: i64,
    offset: i64,
) -> Result<Vec<AccessEntry>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        AccessEntry,
        r#"SELECT to_char(a.at AT TIME ZONE 'Europe/Copenhagen', 'DD-MM-YYYY HH24:MI:SS') AS "at_local!",
                  u.name AS "actor_name?",
                  (SELECT m.roles FROM memberships m
                    WHERE m.user_id = a.actor_id AND m.municipality_id = a.municipality_id
                    LIMIT 1) AS "actor_roles?",
                  EXISTS (SELECT 1 FROM corps_members cm
                           WHERE cm.user_id = a.actor_id AND cm.municipality_id <> a.municipality_id) AS "lent!",
                  a.action, a.subject_type, a.subject_id, a.details, a.client_addr,
                  count(*) OVER () AS "total!"
           FROM audit_log a
           LEFT JOIN users u ON u.id = a.actor_id
           WHERE a.municipality_id = $1
             AND (a.citizen_id = $2
                  OR (a.citizen_id IS NULL
                      AND ((a.subject_type = 'citizen' AND a.subject_id = $2)
                           OR (a.subject_type = 'course'
                               AND a.subject_id IN (SELECT p.course_id FROM course_participants p
                                                    WHERE p.citizen_id = $2)))))
             AND ($3::boolean IS NULL OR $3 = (a.action = ANY($4::text[])))
             AND ($5::uuid IS NULL OR a.actor_id = $5)
             AND ($6::date IS NULL OR a.at >= ($6::date::timestamp AT TIME ZONE 'Europe/Copenhagen'))
             AND ($7::date IS NULL OR a.at < (($7::date + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen'))
           ORDER BY a.at DESC, a.id DESC
           LIMIT $8 OFFSET $9"#,
        municipality_id,
        citizen,
        filter.reads,
        read_actions,
        filter.actor_id,
        filter.from,
        filter.to,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Actor {
    pub id: Uuid,
    pub name: String,
}

/// Everyone who read or changed the citizen's data, for the filter.
pub async fn access_actors(tx: &mut TenantTx, citizen: Uuid) -> Result<Vec<Actor>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Actor,
        r#"SELECT u.id, u.name FROM users u
           WHERE u.id IN (SELECT a.actor_id FROM audit_log a
                          WHERE a.municipality_id = $1
                            AND (a.citizen_id = $2
                                 OR (a.citizen_id IS NULL
                                     AND ((a.subject_type = 'citizen' AND a.subject_id = $2)
                                          OR (a.subject_type = 'course'
                                              AND a.subject_id IN (SELECT p.course_id FROM course_participants p
                                                                   WHERE p.citizen_id = $2))))))
           ORDER BY u.name"#,
        municipality_id,
        citizen
    )
    .fetch_all(tx.conn())
    .await
}

/// The citizen's own record, every column.
pub struct Profile {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub birth_year: Option<i16>,
    pub gender: Option<String>,
    pub languages: Vec<String>,
    pub cultural_background: Option<String>,
    pub referred_on: Date,
    pub referral_source: String,
    pub referred_by: String,
    pub criteria: Vec<String>,
    pub legal_basis: String,
    pub legal_basis_note: String,
    pub preferred_gender: Option<String>,
    pub preferred_age_band: Option<String>,
    pub preferred_language: Option<String>,
    pub preferred_culture: Option<String>,
    pub preference_note: String,
    pub needs_religion_politics: bool,
    pub needed_temperament: Option<i16>,
    pub needed_experience: Vec<String>,
    pub needed_availability: Vec<String>,
    pub other_efforts: Vec<String>,
    pub other_efforts_note: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub async fn profile(tx: &mut TenantTx, id: Uuid) -> Result<Option<Profile>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Profile,
        "SELECT id, kind, name, birth_year, gender, languages, cultural_background, referred_on,
                referral_source, referred_by, criteria, legal_basis, legal_basis_note,
                preferred_gender, preferred_age_band, preferred_language, preferred_culture,
                preference_note, needs_religion_politics, needed_temperament, needed_experience,
                needed_availability, other_efforts, other_efforts_note, created_at, updated_at
         FROM citizens WHERE id = $1 AND municipality_id = $2",
        id,
        municipality_id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct Consent {
    pub kind: String,
    pub given_by: String,
    pub given_on: Date,
    pub withdrawn_on: Option<Date>,
    pub recorded_by: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn consents(tx: &mut TenantTx, citizen: Uuid) -> Result<Vec<Consent>, sqlx::Error> {
    sqlx::query_as!(
        Consent,
        r#"SELECT c.kind, c.given_by, c.given_on, c.withdrawn_on, u.name AS "recorded_by?", c.created_at
           FROM consents c LEFT JOIN users u ON u.id = c.recorded_by
           WHERE c.citizen_id = $1 ORDER BY c.given_on, c.created_at"#,
        citizen
    )
    .fetch_all(tx.conn())
    .await
}

/// A parent or relative (or, for a relative, the mentee): relation and name only.
pub struct Relation {
    pub relation: String,
    /// Whether the other person is the relative (else the mentee).
    pub other_is_relative: bool,
    pub other_name: String,
    /// The other person, whose name the extract shows (a read of their data too).
    pub other_id: Uuid,
}

pub async fn relations(tx: &mut TenantTx, citizen: Uuid) -> Result<Vec<Relation>, sqlx::Error> {
    sqlx::query_as!(
        Relation,
        r#"SELECT r.relation, (r.mentee_id = $1) AS "other_is_relative!", o.name AS other_name, o.id AS other_id
           FROM citizen_relations r
           JOIN citizens o ON o.id = CASE WHEN r.mentee_id = $1 THEN r.relative_id ELSE r.mentee_id END
           WHERE $1 IN (r.mentee_id, r.relative_id)
           ORDER BY o.name"#,
        citizen
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Conflict {
    pub member_name: Option<String>,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

pub async fn conflicts(tx: &mut TenantTx, citizen: Uuid) -> Result<Vec<Conflict>, sqlx::Error> {
    sqlx::query_as!(
        Conflict,
        r#"SELECT u.name AS "member_name?", c.reason, c.created_at
           FROM member_conflicts c
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           WHERE c.citizen_id = $1 ORDER BY c.created_at"#,
        citizen
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Course {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub state: String,
    pub member_name: Option<String>,
    pub joined_on: Date,
    pub referred_on: Date,
    pub matched_on: Option<Date>,
    pub started_on: Option<Date>,
    pub planned_end_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub goals_reached: Option<String>,
    pub end_note: String,
    pub cancel_reason: String,
    pub match_override_reason: String,
    pub next_meeting_at: Option<OffsetDateTime>,
    pub next_meeting_minutes: Option<i16>,
    pub next_meeting_place: String,
}

/// The courses the citizen takes part in, oldest first.
pub async fn courses(tx: &mut TenantTx, citizen: Uuid) -> Result<Vec<Course>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Course,
        r#"SELECT c.id, c.kind, c.title, c.state, u.name AS "member_name?", p.joined_on,
                  c.referred_on, c.matched_on, c.started_on, c.planned_end_on, c.ended_on, c.closed_on,
                  c.goals_reached, c.end_note, c.cancel_reason, c.match_override_reason,
                  c.next_meeting_at, c.next_meeting_minutes, c.next_meeting_place
           FROM course_participants p
           JOIN courses c ON c.id = p.course_id
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           WHERE p.citizen_id = $1 AND c.municipality_id = $2
           ORDER BY c.referred_on, c.id"#,
        citizen,
        municipality_id
    )
    .fetch_all(tx.conn())
    .await
}

pub struct CourseEvent {
    pub course_id: Uuid,
    pub at: OffsetDateTime,
    pub actor_name: Option<String>,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: String,
}

pub async fn course_events(
    tx: &mut TenantTx,
    courses: &[Uuid],
) -> Result<Vec<CourseEvent>, sqlx::Error> {
    sqlx::query_as!(
        CourseEvent,
        r#"SELECT e.course_id, e.at, u.name AS "actor_name?", e.kind, e.from_state, e.to_state, e.note
           FROM course_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.course_id = ANY($1) ORDER BY e.at, e.id"#,
        courses
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Session {
    pub id: Uuid,
    pub course_id: Uuid,
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: String,
    pub participants: String,
    pub notes: String,
    pub tools: Vec<String>,
    pub next_step: String,
    pub logged_by: Option<String>,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub async fn sessions(tx: &mut TenantTx, courses: &[Uuid]) -> Result<Vec<Session>, sqlx::Error> {
    sqlx::query_as!(
        Session,
        r#"SELECT s.id, s.course_id, s.held_on, s.duration_minutes, s.kind, s.participants, s.notes,
                  s.tools, s.next_step, u.name AS "logged_by?", s.version, s.created_at, s.updated_at
           FROM course_sessions s LEFT JOIN users u ON u.id = s.logged_by
           WHERE s.course_id = ANY($1) ORDER BY s.held_on, s.created_at"#,
        courses
    )
    .fetch_all(tx.conn())
    .await
}

pub struct SessionVersion {
    pub session_id: Uuid,
    pub version: i32,
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: String,
    pub participants: String,
    pub notes: String,
    pub tools: Vec<String>,
    pub next_step: String,
    pub changed_by: Option<String>,
    pub replaced_at: OffsetDateTime,
}

pub async fn session_versions(
    tx: &mut TenantTx,
    courses: &[Uuid],
) -> Result<Vec<SessionVersion>, sqlx::Error> {
    sqlx::query_as!(
        SessionVersion,
        r#"SELECT v.session_id, v.version, v.held_on, v.duration_minutes, v.kind, v.participants,
                  v.notes, v.tools, v.next_step, u.name AS "changed_by?", v.replaced_at
           FROM course_session_versions v
           JOIN course_sessions s ON s.id = v.session_id
           LEFT JOIN users u ON u.id = v.changed_by
           WHERE s.course_id = ANY($1) ORDER BY v.session_id, v.version"#,
        courses
    )
    .fetch_all(tx.conn())
    .await
}

pub struct ToolAnswer {
    pub course_id: Uuid,
    pub tool: String,
    pub version: i16,
    pub phase: Option<String>,
    pub answers: serde_json::Value,
    pub filled_on: Date,
    pub filled_by: Option<String>,
}

pub async fn tool_answers(
    tx: &mut TenantTx,
    courses: &[Uuid],
) -> Result<Vec<ToolAnswer>, sqlx::Error> {
    sqlx::query_as!(
        ToolAnswer,
        r#"SELECT t.course_id AS "course_id!", t.tool, t.version, t.phase, t.answers, t.filled_on,
                  u.name AS "filled_by?"
           FROM tool_answers t LEFT JOIN users u ON u.id = t.filled_by
           WHERE t.course_id = ANY($1) ORDER BY t.filled_on, t.created_at"#,
        courses
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Measurement {
    pub course_id: Uuid,
    pub kind: String,
    pub value: f64,
    pub measured_on: Date,
}

pub async fn measurements(
    tx: &mut TenantTx,
    courses: &[Uuid],
) -> Result<Vec<Measurement>, sqlx::Error> {
    sqlx::query_as!(
        Measurement,
        r#"SELECT m.course_id, m.kind, m.value::float8 AS "value!", m.measured_on
           FROM measurements m
           WHERE m.course_id = ANY($1) ORDER BY m.measured_on, m.kind"#,
        courses
    )
    .fetch_all(tx.conn())
    .await
}

/// An entry by a mentor or parent coach (no coordinator role here) about a citizen who
/// takes part in none of their courses.
pub struct OutsideRead {
    pub at_local: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub citizen_id: Uuid,
}

/// Such entries since `since` (a Danish day), newest first, at most `limit`.
pub async fn outside_reads(
    tx: &mut TenantTx,
    since: Date,
    limit: i64,
) -> Result<Vec<OutsideRead>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        OutsideRead,
        r#"SELECT to_char(e.at AT TIME ZONE 'Europe/Copenhagen', 'DD-MM-YYYY HH24:MI:SS') AS "at_local!",
                  u.name AS "actor_name?", e.action, e.citizen AS "citizen_id!"
           FROM (SELECT a.at, a.id, a.actor_id, a.action,
                        coalesce(a.citizen_id, CASE WHEN a.subject_type = 'citizen' THEN a.subject_id END) AS citizen
                 FROM audit_log a
                 WHERE a.municipality_id = $1 AND a.actor_id IS NOT NULL
                   AND a.at >= ($2::date::timestamp AT TIME ZONE 'Europe/Copenhagen')) e
           LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.citizen IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM memberships m
                             WHERE m.user_id = e.actor_id AND m.municipality_id = $1
                               AND 'coordinator' = ANY (m.roles))
             AND NOT EXISTS (SELECT 1 FROM course_participants p
                             JOIN courses c ON c.id = p.course_id
                             JOIN corps_members cm ON cm.id = c.member_id
                             WHERE p.citizen_id = e.citizen AND cm.user_id = e.actor_id)
           ORDER BY e.at DESC, e.id DESC
           LIMIT $3"#,
        municipality_id,
        since,
        limit
    )
    .fetch_all(tx.conn())
    .await
}

/// How many different citizens one user read on one Danish day.
pub struct DailyReads {
    pub actor_id: Uuid,
    pub actor_name: Option<String>,
    pub day: Date,
    pub citizens: i64,
}

/// Per user and day since `since`, the number of different citizens whose data an entry
/// of `read_actions` names.
pub async fn daily_reads(
    tx: &mut TenantTx,
    since: Date,
    read_actions: &[String],
) -> Result<Vec<DailyReads>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        DailyReads,
        r#"SELECT r.actor_id AS "actor_id!", u.name AS "actor_name?", r.day AS "day!", r.citizens AS "citizens!"
           FROM (SELECT a.actor_id, (a.at AT TIME ZONE 'Europe/Copenhagen')::date AS day,
                        count(DISTINCT coalesce(a.citizen_id,
                              CASE WHEN a.subject_type = 'citizen' THEN a.subject_id END)) AS citizens
                 FROM audit_log a
                 WHERE a.municipality_id = $1 AND a.actor_id IS NOT NULL
                   AND a.at >= ($2::date::timestamp AT TIME ZONE 'Europe/Copenhagen')
                   AND a.action = ANY($3::text[])
                   AND coalesce(a.citizen_id, CASE WHEN a.subject_type = 'citizen' THEN a.subject_id END) IS NOT NULL
                 GROUP BY 1, 2) r
           LEFT JOIN users u ON u.id = r.actor_id
           ORDER BY r.actor_id, r.day"#,
        municipality_id,
        since,
        read_actions
    )
    .fetch_all(tx.conn())
    .await
}
