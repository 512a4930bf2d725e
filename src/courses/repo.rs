//! SQL for courses, their participants, events and sessions.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::vocab::{
    CitizenKind, CourseEventKind, CourseKind, CourseState, GoalsReached, SessionKind,
};
use crate::web::table::Counted;

pub async fn insert(
    tx: &mut TenantTx,
    kind: CourseKind,
    title: &str,
    referred_on: Date,
    citizens: &[Uuid],
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let municipality_id = tx.scope().municipality_id();
    sqlx::query!(
        "INSERT INTO courses (id, municipality_id, kind, title, referred_on) VALUES ($1, $2, $3, $4, $5)",
        id,
        municipality_id,
        kind as _,
        title,
        referred_on
    )
    .execute(tx.conn())
    .await?;
    for citizen in citizens {
        add_participant(tx, id, *citizen, referred_on).await?;
    }
    event(
        tx,
        id,
        CourseEventKind::Created,
        None,
        Some(CourseState::Referred),
        "",
    )
    .await?;
    Ok(id)
}

pub async fn add_participant(
    tx: &mut TenantTx,
    course_id: Uuid,
    citizen_id: Uuid,
    joined_on: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
        course_id,
        citizen_id,
        tx.scope().municipality_id(),
        joined_on
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn event(
    tx: &mut TenantTx,
    course_id: Uuid,
    kind: CourseEventKind,
    from: Option<CourseState>,
    to: Option<CourseState>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO course_events (id, municipality_id, course_id, actor_id, kind, from_state, to_state, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        tx.scope().municipality_id(),
        course_id,
        tx.scope().user_id(),
        kind as _,
        from as _,
        to as _,
        note
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Course {
    pub id: Uuid,
    /// The course's own municipality (another than the user's for a lent member).
    pub municipality_id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub title: String,
    pub member_id: Option<Uuid>,
    pub member_name: Option<String>,
    pub referred_on: Date,
    pub matched_on: Option<Date>,
    pub started_on: Option<Date>,
    pub planned_end_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub goals_reached: Option<GoalsReached>,
    pub end_note: String,
    pub cancel_reason: String,
    pub match_override_reason: String,
    pub version: i32,
}

/// A course of the transaction's municipality. `for_member` limits it to that member's
/// courses (mentors and parent coaches see only their own).
pub async fn get(
    tx: &mut TenantTx,
    id: Uuid,
    for_member: Option<Uuid>,
) -> Result<Option<Course>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT c.id, c.municipality_id, c.kind AS "kind: CourseKind", c.state AS "state: CourseState",
                  c.title, c.member_id, u.name AS "member_name?",
                  c.referred_on, c.matched_on, c.started_on, c.planned_end_on, c.ended_on, c.closed_on,
                  c.goals_reached AS "goals_reached: GoalsReached", c.end_note, c.cancel_reason, c.match_override_reason, c.version
           FROM courses c
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           WHERE c.id = $1 AND (c.municipality_id = $2 OR c.id IN (SELECT app_loan_courses()))
             AND ($3::uuid IS NULL OR c.member_id = $3)"#,
        id,
        tx.scope().municipality_id(),
        for_member
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| Course {
        id: r.id,
        municipality_id: r.municipality_id,
        kind: r.kind,
        state: r.state,
        title: r.title,
        member_id: r.member_id,
        member_name: r.member_name,
        referred_on: r.referred_on,
        matched_on: r.matched_on,
        started_on: r.started_on,
        planned_end_on: r.planned_end_on,
        ended_on: r.ended_on,
        closed_on: r.closed_on,
        goals_reached: r.goals_reached,
        end_note: r.end_note,
        cancel_reason: r.cancel_reason,
        match_override_reason: r.match_override_reason,
        version: r.version,
    }))
}

pub struct Participant {
    pub id: Uuid,
    pub name: String,
    pub kind: CitizenKind,
    pub birth_year: Option<i16>,
}

pub async fn participants(
    tx: &mut TenantTx,
    course_id: Uuid,
) -> Result<Vec<Participant>, sqlx::Error> {
    sqlx::query_as!(
        Participant,
        r#"SELECT c.id, c.name, c.kind AS "kind: CitizenKind", c.birth_year
           FROM course_participants p JOIN citizens c ON c.id = p.citizen_id
           WHERE p.course_id = $1 ORDER BY c.kind, c.name"#,
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

/// Moves the course from `from` to `to`, setting the date that state records. False when
/// the course was no longer in `from` (someone else moved it first).
pub async fn set_state(
    tx: &mut TenantTx,
    id: Uuid,
    from: CourseState,
    to: CourseState,
    on: Date,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE courses SET state = $3,
                started_on = CASE WHEN $3 = 'active' THEN coalesce(started_on, $4) ELSE started_on END,
                ended_on = CASE WHEN $3 = 'ending' THEN $4 WHEN $3 = 'active' THEN NULL ELSE ended_on END,
                closed_on = CASE WHEN $3 IN ('closed', 'cancelled') THEN $4 ELSE closed_on END,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND state = $2",
        id,
        from as _,
        to as _,
        on
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn record_ending(
    tx: &mut TenantTx,
    id: Uuid,
    goals_reached: GoalsReached,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE courses SET goals_reached = $2, end_note = $3 WHERE id = $1",
        id,
        goals_reached as _,
        note
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn cancel(
    tx: &mut TenantTx,
    id: Uuid,
    from: CourseState,
    reason: &str,
    on: Date,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE courses SET state = 'cancelled', cancel_reason = $3, closed_on = $4, version = version + 1, updated_at = now()
         WHERE id = $1 AND state = $2",
        id,
        from as _,
        reason,
        on
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn extend(tx: &mut TenantTx, id: Uuid, planned_end_on: Date) -> Result<(), sqlx::Error> {
    sqlx::query!(
        // Extended: the course is active again; the ending's answers no longer hold.
        "UPDATE courses SET planned_end_on = $2, goals_reached = NULL, end_note = '', version = version + 1, updated_at = now()
         WHERE id = $1",
        id,
        planned_end_on
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct Event {
    pub at_local: String,
    pub actor: Option<String>,
    pub kind: CourseEventKind,
    pub to_state: Option<CourseState>,
    pub note: String,
}

pub async fn events(tx: &mut TenantTx, course_id: Uuid) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as!(
        Event,
        r#"SELECT to_char(e.at AT TIME ZONE 'Europe/Copenhagen', 'DD-MM-YYYY HH24:MI') AS "at_local!", u.name AS "actor?",
                  e.kind AS "kind: CourseEventKind", e.to_state AS "to_state: CourseState", e.note
           FROM course_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.course_id = $1 ORDER BY e.at DESC"#,
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

pub struct ListRow {
    pub id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub title: String,
    pub citizens: Option<String>,
    pub citizen_ids: Vec<Uuid>,
    pub member_name: Option<String>,
    pub referred_on: Date,
    pub last_session: Option<Date>,
    pub total: i64,
}

impl Counted for ListRow {
    fn total(&self) -> i64 {
        self.total
    }
}

pub struct ListFilter<'a> {
    pub kind: Option<CourseKind>,
    pub state: Option<CourseState>,
    /// Only the open courses (neither closed nor cancelled).
    pub open_only: bool,
    pub member_id: Option<Uuid>,
    pub q: &'a str,
}

pub async fn list(
    tx: &mut TenantTx,
    f: &ListFilter<'_>,
    sort: &str,
    descending: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    sqlx::query_as!(
        ListRow,
        // The page of ids is chosen first, so the per-row lookups (names, last session)
        // run for the 25 rows shown, not for every row skipped by the offset.
        r#"WITH page AS (
             SELECT c.id, count(*) OVER () AS total,
                    row_number() OVER (ORDER BY
                      CASE WHEN $6 = 'referred_on' AND NOT $7 THEN c.referred_on END ASC,
                      CASE WHEN $6 = 'referred_on' AND $7 THEN c.referred_on END DESC,
                      CASE WHEN $6 = 'state' AND NOT $7 THEN c.state END ASC,
                      CASE WHEN $6 = 'state' AND $7 THEN c.state END DESC,
                      c.referred_on DESC, c.id) AS position
             FROM courses c
             WHERE c.municipality_id = $1
               AND ($2::text IS NULL OR c.kind = $2)
               AND ($3::text IS NULL OR c.state = $3)
               AND (NOT $10 OR c.state NOT IN ('closed', 'cancelled'))
               AND ($4::uuid IS NULL OR c.member_id = $4)
               AND ($5 = '' OR strpos(lower(c.title), lower($5)) > 0 OR EXISTS (
                     SELECT 1 FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
                     WHERE p.course_id = c.id AND strpos(lower(z.name), lower($5)) > 0))
             ORDER BY position
             LIMIT $8 OFFSET $9
           )
           SELECT c.id, c.kind AS "kind: CourseKind", c.state AS "state: CourseState", c.title,
                  (SELECT string_agg(z.name, ', ' ORDER BY z.name) FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
                    WHERE p.course_id = c.id) AS citizens,
                  coalesce((SELECT array_agg(p.citizen_id) FROM course_participants p WHERE p.course_id = c.id),
                           '{}') AS "citizen_ids!",
                  u.name AS "member_name?", c.referred_on,
                  (SELECT max(s.held_on) FROM course_sessions s WHERE s.course_id = c.id) AS last_session,
                  page.total AS "total!"
           FROM page
           JOIN courses c ON c.id = page.id
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           ORDER BY page.position"#,
        tx.scope().municipality_id(),
        f.kind as _,
        f.state as _,
        f.member_id,
        f.q,
        sort,
        descending,
        limit,
        offset,
        f.open_only
    )
    .fetch_all(tx.conn())
    .await
}

/// The facts the rules need, for every open course (of one member, or all), in one query.
pub struct FactsRow {
    pub id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub title: String,
    pub citizens: Option<String>,
    pub member_id: Option<Uuid>,
    pub member_name: Option<String>,
    pub matched_on: Option<Date>,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub participants: i64,
    pub session_dates: Vec<Date>,
    pub session_kinds: Vec<SessionKind>,
    pub last_rating_on: Option<Date>,
    pub measured_pre: bool,
    pub measured_post: bool,
}

pub async fn open_course_facts(
    tx: &mut TenantTx,
    member_id: Option<Uuid>,
) -> Result<Vec<FactsRow>, sqlx::Error> {
    sqlx::query_as!(
        FactsRow,
        r#"SELECT c.id, c.kind AS "kind: CourseKind", c.state AS "state: CourseState", c.title,
                  (SELECT string_agg(z.name, ', ' ORDER BY z.name) FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
                    WHERE p.course_id = c.id) AS citizens,
                  c.member_id, u.name AS "member_name?", c.matched_on, c.started_on, c.ended_on,
                  (SELECT count(*) FROM course_participants p WHERE p.course_id = c.id) AS "participants!",
                  coalesce(s.dates, '{}') AS "session_dates!", coalesce(s.kinds, '{}') AS "session_kinds!: Vec<SessionKind>",
                  (SELECT max(m.measured_on) FROM measurements m WHERE m.course_id = c.id AND m.kind = 'progress') AS last_rating_on,
                  EXISTS (SELECT 1 FROM measurements m WHERE m.course_id = c.id AND m.kind = 'wellbeing_pre') AS "measured_pre!",
                  EXISTS (SELECT 1 FROM measurements m WHERE m.course_id = c.id AND m.kind = 'wellbeing_post') AS "measured_post!"
           FROM courses c
           LEFT JOIN corps_members cm ON cm.id = c.member_id
           LEFT JOIN users u ON u.id = cm.user_id
           LEFT JOIN LATERAL (
             SELECT array_agg(held_on) AS dates, array_agg(kind) AS kinds FROM (
               SELECT held_on, kind FROM course_sessions WHERE course_id = c.id ORDER BY held_on DESC LIMIT 40
             ) recent
           ) s ON true
           WHERE c.municipality_id = $1 AND c.state IN ('matched', 'pre_meeting', 'active', 'ending', 'follow_up')
             AND ($2::uuid IS NULL OR c.member_id = $2)"#,
        tx.scope().municipality_id(),
        member_id
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: SessionKind,
    pub participants: String,
    pub notes: String,
    pub tools: Vec<String>,
    pub next_step: String,
    pub logged_by: Option<String>,
    pub version: i32,
}

pub async fn sessions(tx: &mut TenantTx, course_id: Uuid) -> Result<Vec<Session>, sqlx::Error> {
    sqlx::query_as!(
        Session,
        r#"SELECT s.id, s.held_on, s.duration_minutes, s.kind AS "kind: SessionKind", s.participants, s.notes, s.tools, s.next_step,
                  u.name AS "logged_by?",
                  s.version
           FROM course_sessions s LEFT JOIN users u ON u.id = s.logged_by
           WHERE s.course_id = $1 ORDER BY s.held_on DESC, s.created_at DESC"#,
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn session(
    tx: &mut TenantTx,
    course_id: Uuid,
    id: Uuid,
) -> Result<Option<Session>, sqlx::Error> {
    Ok(sessions(tx, course_id)
        .await?
        .into_iter()
        .find(|s| s.id == id))
}

pub struct NewSession<'a> {
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: SessionKind,
    pub participants: &'a str,
    pub notes: &'a str,
    pub tools: &'a [String],
    pub next_step: &'a str,
}

pub async fn insert_session(
    tx: &mut TenantTx,
    course_id: Uuid,
    s: &NewSession<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        // The session belongs to the course's municipality — for a lent member, the
        // receiving one (row-level security lets them write only their loan's course).
        "INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind, participants, notes, tools, next_step, logged_by)
         SELECT $1, c.municipality_id, c.id, $3, $4, $5, $6, $7, $8, $9, $10 FROM courses c WHERE c.id = $2",
        id,
        course_id,
        s.held_on,
        s.duration_minutes,
        s.kind as _,
        s.participants,
        s.notes,
        s.tools,
        s.next_step,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    // Nothing inserted: the course is out of reach now (a loan ended meanwhile).
    if inserted == 0 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(id)
}

/// Changes a session. A change on a later day than the session was logged keeps the
/// earlier content as a version; the same day it is simply corrected. False when the
/// session changed underneath (stale `version`).
pub async fn update_session(
    tx: &mut TenantTx,
    id: Uuid,
    version: i32,
    s: &NewSession<'_>,
) -> Result<bool, sqlx::Error> {
    sqlx::query!(
        "INSERT INTO course_session_versions (id, municipality_id, session_id, version, held_on, duration_minutes, kind,
                participants, notes, tools, next_step, changed_by)
         SELECT $1, municipality_id, id, version, held_on, duration_minutes, kind, participants, notes, tools, next_step, $4
         FROM course_sessions
         WHERE id = $2 AND version = $3
           AND (created_at AT TIME ZONE 'Europe/Copenhagen')::date < (now() AT TIME ZONE 'Europe/Copenhagen')::date",
        Uuid::now_v7(),
        id,
        version,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    let updated = sqlx::query!(
        "UPDATE course_sessions SET held_on = $3, duration_minutes = $4, kind = $5, participants = $6, notes = $7,
                tools = $8, next_step = $9, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2",
        id,
        version,
        s.held_on,
        s.duration_minutes,
        s.kind as _,
        s.participants,
        s.notes,
        s.tools,
        s.next_step
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub struct SessionVersion {
    pub version: i32,
    pub held_on: Date,
    pub duration_minutes: i16,
    pub kind: SessionKind,
    pub notes: String,
    pub next_step: String,
    pub changed_by: Option<String>,
    pub replaced_at_local: String,
}

pub async fn session_versions(
    tx: &mut TenantTx,
    session_id: Uuid,
) -> Result<Vec<SessionVersion>, sqlx::Error> {
    sqlx::query_as!(
        SessionVersion,
        r#"SELECT v.version, v.held_on, v.duration_minutes, v.kind AS "kind: SessionKind", v.notes, v.next_step, u.name AS "changed_by?",
                  to_char(v.replaced_at AT TIME ZONE 'Europe/Copenhagen', 'DD-MM-YYYY HH24:MI') AS "replaced_at_local!"
           FROM course_session_versions v LEFT JOIN users u ON u.id = v.changed_by
           WHERE v.session_id = $1 ORDER BY v.version DESC"#,
        session_id
    )
    .fetch_all(tx.conn())
    .await
}

/// The member profile of a user in the transaction's municipality.
pub async fn member_of_user(tx: &mut TenantTx, user_id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM corps_members WHERE user_id = $1 AND municipality_id = $2",
        user_id,
        tx.scope().municipality_id()
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct Waiting {
    pub id: Uuid,
    pub kind: CourseKind,
    pub title: String,
    pub citizens: Option<String>,
    pub referred_on: Date,
}

/// The participants of course `id` whose consent to take part is missing or withdrawn
/// (for a course the user works on, also a lent one).
pub async fn participation_missing(tx: &mut TenantTx, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT participation_missing($1) AS "id!""#, id)
        .fetch_all(tx.conn())
        .await
}

/// The citizens taking part in each of `courses`: (course, citizen) pairs.
pub async fn participant_ids(
    tx: &mut TenantTx,
    courses: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT course_id, citizen_id FROM course_participants WHERE course_id = ANY($1)",
        courses
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.course_id, r.citizen_id))
        .collect())
}

/// Courses waiting for a match, oldest first.
pub async fn waiting(tx: &mut TenantTx, limit: i64) -> Result<Vec<Waiting>, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"SELECT c.id, c.kind AS "kind: CourseKind", c.title, c.referred_on,
                  (SELECT string_agg(z.name, ', ' ORDER BY z.name) FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
                    WHERE p.course_id = c.id) AS citizens
           FROM courses c WHERE c.municipality_id = $1 AND c.state = 'referred'
           ORDER BY c.referred_on, c.created_at LIMIT $2"#,
        tx.scope().municipality_id(),
        limit
    )
    .fetch_all(tx.conn())
    .await
}

/// A course's planned next meeting, in Danish local time.
#[derive(Debug, Clone)]
pub struct NextMeeting {
    pub starts: PrimitiveDateTime,
    pub minutes: i16,
    pub place: String,
}

/// The next meeting of a course the transaction may see (a lent member's too).
pub async fn next_meeting(
    tx: &mut TenantTx,
    course_id: Uuid,
) -> Result<Option<NextMeeting>, sqlx::Error> {
    sqlx::query_as!(
        NextMeeting,
        r#"SELECT (next_meeting_at AT TIME ZONE 'Europe/Copenhagen') AS "starts!",
                  next_meeting_minutes AS "minutes!", next_meeting_place AS place
           FROM courses
           WHERE id = $1 AND next_meeting_at IS NOT NULL AND next_meeting_minutes IS NOT NULL"#,
        course_id
    )
    .fetch_optional(tx.conn())
    .await
}

/// Plans (or with `None` clears) the next meeting. Through `set_course_next_meeting`,
/// which writes these columns only, also on a lent member's course. `false` when the
/// course is not one the transaction may plan.
pub async fn set_next_meeting(
    tx: &mut TenantTx,
    course_id: Uuid,
    meeting: Option<&NextMeeting>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT set_course_next_meeting($1, $2::timestamp AT TIME ZONE 'Europe/Copenhagen', $3, $4) AS "changed!""#,
        course_id,
        meeting.map(|m| m.starts),
        meeting.map(|m| m.minutes),
        meeting.map(|m| m.place.as_str()).unwrap_or_default()
    )
    .fetch_one(tx.conn())
    .await
}
