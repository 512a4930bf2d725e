//! SQL for cohorts, modules, nominations, attendance, corps events and the roster.

use time::Date;
use uuid::Uuid;

use super::model::{EventKind, Programme, ValidCohort, ValidModule};
use crate::db::TenantTx;
use crate::vocab::{Role, TrainingStatus};
use crate::web::table::{Counted, Sort};

pub struct Cohort {
    pub id: Uuid,
    pub name: String,
    pub round_id: Option<Uuid>,
    pub round_title: Option<String>,
    pub mentor_seats: i16,
    pub parent_coach_seats: i16,
    pub coordinator_seats: i16,
    pub corps_until: Date,
    pub version: i32,
}

impl Cohort {
    /// The cohort's places per programme (mentor, parent coach, coordinator).
    pub fn seats(&self) -> [i16; 3] {
        [
            self.mentor_seats,
            self.parent_coach_seats,
            self.coordinator_seats,
        ]
    }
}

pub struct CohortRow {
    pub id: Uuid,
    pub name: String,
    pub round_id: Option<Uuid>,
    pub round_title: Option<String>,
    pub corps_until: Date,
    pub seats: i64,
    pub nominated: i64,
    pub modules: i64,
    pub first_day: Option<Date>,
    pub last_day: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Module {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub place: String,
    pub programmes: Vec<Programme>,
    pub attended: i64,
}

impl Module {
    pub fn dates(&self) -> super::model::ModuleDates {
        super::model::ModuleDates {
            id: self.id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            programmes: self.programmes.clone(),
        }
    }
}

/// Training rounds a cohort can draw its participants from: (id, title).
pub async fn training_rounds(tx: &mut TenantTx) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id, title FROM application_rounds WHERE kind = 'training' ORDER BY deadline DESC"
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title)).collect())
}

pub async fn insert_cohort(tx: &mut TenantTx, cohort: &ValidCohort) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO training_cohorts (id, name, round_id, mentor_seats, parent_coach_seats, coordinator_seats,
                                       corps_until, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        cohort.name,
        cohort.round_id,
        cohort.seats[0],
        cohort.seats[1],
        cohort.seats[2],
        cohort.corps_until,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Saves the cohort if nobody saved since `version`; false when someone did.
pub async fn update_cohort(
    tx: &mut TenantTx,
    id: Uuid,
    cohort: &ValidCohort,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE training_cohorts SET name = $3, round_id = $4, mentor_seats = $5, parent_coach_seats = $6,
                coordinator_seats = $7, corps_until = $8, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2",
        id,
        version,
        cohort.name,
        cohort.round_id,
        cohort.seats[0],
        cohort.seats[1],
        cohort.seats[2],
        cohort.corps_until
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn get_cohort(tx: &mut TenantTx, id: Uuid) -> Result<Option<Cohort>, sqlx::Error> {
    sqlx::query_as!(
        Cohort,
        r#"SELECT c.id, c.name, c.round_id, r.title AS "round_title?", c.mentor_seats, c.parent_coach_seats,
                  c.coordinator_seats, c.corps_until, c.version
           FROM training_cohorts c LEFT JOIN application_rounds r ON r.id = c.round_id
           WHERE c.id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

/// Every cohort, newest first, with what the lists show. `nominated` counts the
/// nominations the transaction may see (all for national staff, its own for a municipality).
pub async fn list_cohorts(tx: &mut TenantTx) -> Result<Vec<CohortRow>, sqlx::Error> {
    sqlx::query_as!(
        CohortRow,
        r#"SELECT c.id, c.name, c.round_id, r.title AS "round_title?", c.corps_until,
                  (c.mentor_seats + c.parent_coach_seats + c.coordinator_seats)::bigint AS "seats!",
                  (SELECT count(*) FROM training_nominations n WHERE n.cohort_id = c.id AND n.withdrawn_at IS NULL) AS "nominated!",
                  (SELECT count(*) FROM training_modules m WHERE m.cohort_id = c.id) AS "modules!",
                  (SELECT min(m.starts_on) FROM training_modules m WHERE m.cohort_id = c.id) AS first_day,
                  (SELECT max(coalesce(m.ends_on, m.starts_on)) FROM training_modules m WHERE m.cohort_id = c.id) AS last_day
           FROM training_cohorts c LEFT JOIN application_rounds r ON r.id = c.round_id
           ORDER BY coalesce((SELECT min(m.starts_on) FROM training_modules m WHERE m.cohort_id = c.id), c.created_at::date) DESC,
                    c.created_at DESC"#
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn modules(tx: &mut TenantTx, cohort_id: Uuid) -> Result<Vec<Module>, sqlx::Error> {
    sqlx::query_as!(
        Module,
        r#"SELECT m.id, m.cohort_id, m.title, m.starts_on, m.ends_on, m.place,
                  m.programmes AS "programmes: Vec<Programme>",
                  (SELECT count(*) FROM training_attendance a WHERE a.module_id = m.id) AS "attended!"
           FROM training_modules m WHERE m.cohort_id = $1 ORDER BY m.starts_on, m.title"#,
        cohort_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn insert_module(
    tx: &mut TenantTx,
    cohort_id: Uuid,
    module: &ValidModule,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO training_modules (id, cohort_id, title, starts_on, ends_on, place, programmes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        cohort_id,
        module.title,
        module.starts_on,
        module.ends_on,
        module.place,
        &module.programmes as &[Programme],
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Nominations per programme in the cohort, over every municipality: [mentor, parent
/// coach, coordinator].
pub async fn cohort_taken(tx: &mut TenantTx, cohort_id: Uuid) -> Result<[i64; 3], sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT programme AS "programme!: Programme", taken AS "taken!" FROM training_cohort_taken($1)"#,
        cohort_id
    )
    .fetch_all(tx.conn())
    .await?;
    let mut taken = [0; 3];
    for row in rows {
        match row.programme {
            Programme::Mentor => taken[0] = row.taken,
            Programme::ParentCoach => taken[1] = row.taken,
            Programme::Coordinator => taken[2] = row.taken,
        }
    }
    Ok(taken)
}

/// The transaction's municipality's approved application in the round, its seats and
/// the nominations that use them (shared with the partners of a joint application).
pub struct SeatPool {
    pub application_id: Uuid,
    pub granted: [i64; 3],
    pub used: [i64; 3],
}

pub async fn seat_pool(tx: &mut TenantTx, round_id: Uuid) -> Result<Option<SeatPool>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT application_id AS "application_id!", mentor_seats AS "mentor_seats!",
                  parent_coach_seats AS "parent_coach_seats!", coordinator_seats AS "coordinator_seats!",
                  mentor_used AS "mentor_used!", parent_coach_used AS "parent_coach_used!",
                  coordinator_used AS "coordinator_used!"
           FROM training_seat_pool($1)"#,
        round_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| SeatPool {
        application_id: r.application_id,
        granted: [
            r.mentor_seats.into(),
            r.parent_coach_seats.into(),
            r.coordinator_seats.into(),
        ],
        used: [r.mentor_used, r.parent_coach_used, r.coordinator_used],
    }))
}

/// Serialises nominations that draw on the same seats until the transaction ends: the
/// second of two concurrent nominations counts after the first has committed.
pub async fn lock_seats(tx: &mut TenantTx, key: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('training_seats:' || $1::text, 0))",
        key.to_string()
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(())
}

pub struct Nomination {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub municipality_id: Uuid,
    pub municipality: String,
    pub user_id: Uuid,
    pub member_id: Option<Uuid>,
    pub name: String,
    pub programme: Programme,
    pub completed_on: Option<Date>,
}

/// The cohort's current nominations the transaction may see, by municipality and name.
pub async fn nominations(
    tx: &mut TenantTx,
    cohort_id: Uuid,
) -> Result<Vec<Nomination>, sqlx::Error> {
    sqlx::query_as!(
        Nomination,
        r#"SELECT n.id, n.cohort_id, n.municipality_id, mu.name AS municipality, n.user_id, n.member_id,
                  u.name, n.programme AS "programme: Programme", n.completed_on
           FROM training_nominations n
           JOIN users u ON u.id = n.user_id
           JOIN municipalities mu ON mu.id = n.municipality_id
           WHERE n.cohort_id = $1 AND n.withdrawn_at IS NULL
           ORDER BY mu.name, lower(u.name)"#,
        cohort_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn get_nomination(
    tx: &mut TenantTx,
    id: Uuid,
) -> Result<Option<Nomination>, sqlx::Error> {
    sqlx::query_as!(
        Nomination,
        r#"SELECT n.id, n.cohort_id, n.municipality_id, mu.name AS municipality, n.user_id, n.member_id,
                  u.name, n.programme AS "programme: Programme", n.completed_on
           FROM training_nominations n
           JOIN users u ON u.id = n.user_id
           JOIN municipalities mu ON mu.id = n.municipality_id
           WHERE n.id = $1 AND n.withdrawn_at IS NULL"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

/// A staff account of the transaction's municipality that could take part.
pub struct Candidate {
    pub user_id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
    pub member_id: Option<Uuid>,
}

/// Active staff of the transaction's municipality with a role a programme trains for,
/// not nominated to the cohort yet; or the one with `user_id`.
pub async fn candidates(
    tx: &mut TenantTx,
    cohort_id: Uuid,
    user_id: Option<Uuid>,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Candidate,
        r#"SELECT u.id AS user_id, u.name, m.roles AS "roles: Vec<Role>",
                  (SELECT cm.id FROM corps_members cm
                    WHERE cm.user_id = u.id AND cm.municipality_id = m.municipality_id) AS member_id
           FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
           WHERE m.municipality_id = $1
             AND m.roles && ARRAY['mentor', 'parent_coach', 'coordinator']
             AND ($3::uuid IS NULL OR u.id = $3)
             AND NOT EXISTS (SELECT 1 FROM training_nominations n
                             WHERE n.cohort_id = $2 AND n.user_id = u.id AND n.withdrawn_at IS NULL)
           ORDER BY lower(u.name)"#,
        municipality_id,
        cohort_id,
        user_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn insert_nomination(
    tx: &mut TenantTx,
    cohort_id: Uuid,
    candidate: &Candidate,
    programme: Programme,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let municipality_id = tx.scope().municipality_id();
    sqlx::query!(
        "INSERT INTO training_nominations (id, cohort_id, municipality_id, user_id, member_id, programme, nominated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        cohort_id,
        municipality_id,
        candidate.user_id,
        // Coordinators train as coordinators, not as corps members.
        candidate.member_id.filter(|_| programme != Programme::Coordinator),
        programme as _,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// A nominated member is in training — unless already trained (a trained mentor who
/// takes the parent-coach programme stays part of the corps meanwhile).
pub async fn mark_in_training(tx: &mut TenantTx, member_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE corps_members SET training_status = 'in_training', version = version + 1, updated_at = now()
         WHERE id = $1 AND training_status <> 'trained'",
        member_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Withdraws a nomination; a member in training with no other nomination is untrained again.
pub async fn withdraw_nomination(
    tx: &mut TenantTx,
    nomination: &Nomination,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE training_nominations SET withdrawn_at = now(), withdrawn_by = $2 WHERE id = $1",
        nomination.id,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    if let Some(member_id) = nomination.member_id {
        sqlx::query!(
            "UPDATE corps_members SET training_status = 'untrained', version = version + 1, updated_at = now()
             WHERE id = $1 AND training_status = 'in_training'
               AND NOT EXISTS (SELECT 1 FROM training_nominations n
                               WHERE n.member_id = $1 AND n.withdrawn_at IS NULL)",
            member_id
        )
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// (module, nomination) pairs of the cohort's recorded attendance.
pub async fn attendance(
    tx: &mut TenantTx,
    cohort_id: Uuid,
) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT a.module_id, a.nomination_id FROM training_attendance a
         JOIN training_modules m ON m.id = a.module_id WHERE m.cohort_id = $1",
        cohort_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.module_id, r.nomination_id))
        .collect())
}

/// Makes the module's attendance exactly `present` (nomination ids of the cohort).
/// Returns how many were added and removed.
pub async fn set_attendance(
    tx: &mut TenantTx,
    module_id: Uuid,
    present: &[Uuid],
) -> Result<(u64, u64), sqlx::Error> {
    let removed = sqlx::query!(
        "DELETE FROM training_attendance WHERE module_id = $1 AND NOT (nomination_id = ANY ($2))",
        module_id,
        present
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    let added = sqlx::query!(
        "INSERT INTO training_attendance (module_id, nomination_id, municipality_id, recorded_by)
         SELECT $1, n.id, n.municipality_id, $3 FROM training_nominations n
         JOIN training_modules m ON m.id = $1 AND m.cohort_id = n.cohort_id
         WHERE n.id = ANY ($2) AND n.withdrawn_at IS NULL
         ON CONFLICT DO NOTHING",
        module_id,
        present,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok((added, removed))
}

/// Writes a participant's completion (or takes it back) through the national function.
pub async fn record_outcome(
    tx: &mut TenantTx,
    nomination_id: Uuid,
    completed_on: Option<Date>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query_scalar!(
        r#"SELECT record_training_outcome($1, $2) AS "done!""#,
        nomination_id,
        completed_on
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(done)
}

// Corps events.

pub struct Event {
    pub id: Uuid,
    pub kind: EventKind,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub place: String,
    pub programmes: Vec<Programme>,
    pub attended: i64,
}

pub async fn insert_event(
    tx: &mut TenantTx,
    kind: EventKind,
    event: &ValidModule,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO corps_events (id, kind, title, starts_on, ends_on, place, programmes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        kind as _,
        event.title,
        event.starts_on,
        event.ends_on,
        event.place,
        &event.programmes as &[Programme],
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

pub async fn list_events(tx: &mut TenantTx) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as!(
        Event,
        r#"SELECT e.id, e.kind AS "kind: EventKind", e.title, e.starts_on, e.ends_on, e.place,
                  e.programmes AS "programmes: Vec<Programme>",
                  (SELECT count(*) FROM corps_event_attendance a WHERE a.event_id = e.id) AS "attended!"
           FROM corps_events e ORDER BY e.starts_on DESC"#
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn get_event(tx: &mut TenantTx, id: Uuid) -> Result<Option<Event>, sqlx::Error> {
    sqlx::query_as!(
        Event,
        r#"SELECT e.id, e.kind AS "kind: EventKind", e.title, e.starts_on, e.ends_on, e.place,
                  e.programmes AS "programmes: Vec<Programme>",
                  (SELECT count(*) FROM corps_event_attendance a WHERE a.event_id = e.id) AS "attended!"
           FROM corps_events e WHERE e.id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct TrainedMember {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub present: bool,
}

/// The trained members of the event's programmes in every municipality (national
/// staff's transaction), and whoever attended already.
pub async fn event_members(
    tx: &mut TenantTx,
    event: &Event,
) -> Result<Vec<TrainedMember>, sqlx::Error> {
    sqlx::query_as!(
        TrainedMember,
        r#"SELECT cm.id, u.name, mu.name AS municipality,
                  EXISTS (SELECT 1 FROM corps_event_attendance a WHERE a.event_id = $1 AND a.member_id = cm.id) AS "present!"
           FROM corps_members cm
           JOIN users u ON u.id = cm.user_id
           JOIN municipalities mu ON mu.id = cm.municipality_id
           JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
           WHERE (cm.training_status = 'trained' AND m.roles && $2)
              OR EXISTS (SELECT 1 FROM corps_event_attendance a WHERE a.event_id = $1 AND a.member_id = cm.id)
           ORDER BY mu.name, lower(u.name)"#,
        event.id,
        &event.programmes as &[Programme]
    )
    .fetch_all(tx.conn())
    .await
}

/// Makes the event's attendance exactly `present` (ids of trained members of its programmes).
pub async fn set_event_attendance(
    tx: &mut TenantTx,
    event: &Event,
    present: &[Uuid],
) -> Result<(u64, u64), sqlx::Error> {
    let removed = sqlx::query!(
        "DELETE FROM corps_event_attendance WHERE event_id = $1 AND NOT (member_id = ANY ($2))",
        event.id,
        present
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    let added = sqlx::query!(
        "INSERT INTO corps_event_attendance (event_id, member_id, municipality_id, recorded_by)
         SELECT $1, cm.id, cm.municipality_id, $4 FROM corps_members cm
         JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
         WHERE cm.id = ANY ($2) AND cm.training_status = 'trained' AND m.roles && $3
         ON CONFLICT DO NOTHING",
        event.id,
        present,
        &event.programmes as &[Programme],
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok((added, removed))
}

// A member's training history (the member's own municipality).

pub struct HistoryCohort {
    pub nomination_id: Uuid,
    pub cohort_name: String,
    pub programme: Programme,
    pub completed_on: Option<Date>,
    pub corps_until: Date,
    pub modules: Vec<String>,
    pub required: i64,
}

pub async fn member_cohorts(
    tx: &mut TenantTx,
    member_id: Uuid,
) -> Result<Vec<HistoryCohort>, sqlx::Error> {
    sqlx::query_as!(
        HistoryCohort,
        r#"SELECT n.id AS nomination_id, c.name AS cohort_name, n.programme AS "programme: Programme",
                  n.completed_on, c.corps_until,
                  coalesce((SELECT array_agg(m.title ORDER BY m.starts_on) FROM training_attendance a
                            JOIN training_modules m ON m.id = a.module_id WHERE a.nomination_id = n.id), '{}') AS "modules!",
                  (SELECT count(*) FROM training_modules m
                    WHERE m.cohort_id = n.cohort_id AND n.programme = ANY (m.programmes)) AS "required!"
           FROM training_nominations n JOIN training_cohorts c ON c.id = n.cohort_id
           WHERE n.member_id = $1 AND n.withdrawn_at IS NULL
           ORDER BY n.nominated_at DESC"#,
        member_id
    )
    .fetch_all(tx.conn())
    .await
}

pub struct HistoryEvent {
    pub kind: EventKind,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

pub async fn member_events(
    tx: &mut TenantTx,
    member_id: Uuid,
) -> Result<Vec<HistoryEvent>, sqlx::Error> {
    sqlx::query_as!(
        HistoryEvent,
        r#"SELECT e.kind AS "kind: EventKind", e.title, e.starts_on, e.ends_on FROM corps_event_attendance a
         JOIN corps_events e ON e.id = a.event_id WHERE a.member_id = $1 ORDER BY e.starts_on DESC"#,
        member_id
    )
    .fetch_all(tx.conn())
    .await
}

pub struct MemberTraining {
    pub training_status: TrainingStatus,
    pub trained_on: Option<Date>,
    pub trained_programme: Option<Programme>,
    pub cohort_name: Option<String>,
    pub corps_until: Option<Date>,
}

pub async fn member_training(
    tx: &mut TenantTx,
    member_id: Uuid,
) -> Result<Option<MemberTraining>, sqlx::Error> {
    sqlx::query_as!(
        MemberTraining,
        r#"SELECT cm.training_status AS "training_status: TrainingStatus", cm.trained_on,
                  cm.trained_programme AS "trained_programme: Programme", c.name AS "cohort_name?", cm.corps_until
           FROM corps_members cm LEFT JOIN training_cohorts c ON c.id = cm.trained_cohort_id
           WHERE cm.id = $1"#,
        member_id
    )
    .fetch_optional(tx.conn())
    .await
}

// Start pages.

pub struct Upcoming {
    pub cohort_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub title: String,
    /// A module's cohort name ("" for an event).
    pub context: String,
    /// An event's kind (none for a module).
    pub event_kind: Option<EventKind>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// Modules and events from `from` to `to`, soonest first.
pub async fn upcoming(
    tx: &mut TenantTx,
    from: Date,
    to: Date,
) -> Result<Vec<Upcoming>, sqlx::Error> {
    sqlx::query_as!(
        Upcoming,
        r#"SELECT cohort_id AS "cohort_id?", event_id AS "event_id?", title AS "title!", context AS "context!",
                  event_kind AS "event_kind?: EventKind", starts_on AS "starts_on!", ends_on
           FROM (SELECT m.cohort_id, NULL::uuid AS event_id, m.title, c.name AS context, NULL::text AS event_kind,
                        m.starts_on, m.ends_on
                 FROM training_modules m JOIN training_cohorts c ON c.id = m.cohort_id
                 WHERE m.starts_on BETWEEN $1 AND $2
                 UNION ALL
                 SELECT NULL, e.id, e.title, '', e.kind, e.starts_on, e.ends_on
                 FROM corps_events e WHERE e.starts_on BETWEEN $1 AND $2) x
           ORDER BY starts_on, title"#,
        from,
        to
    )
    .fetch_all(tx.conn())
    .await
}

/// Held modules (started by `today`) with participants for them but no attendance
/// recorded: (cohort id, cohort name, module title, date).
pub async fn awaiting_attendance(
    tx: &mut TenantTx,
    today: Date,
) -> Result<Vec<(Uuid, Uuid, String, String, Date)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT c.id AS cohort_id, m.id AS module_id, c.name, m.title, m.starts_on
           FROM training_modules m JOIN training_cohorts c ON c.id = m.cohort_id
           WHERE m.starts_on <= $1
             AND NOT EXISTS (SELECT 1 FROM training_attendance a WHERE a.module_id = m.id)
             AND EXISTS (SELECT 1 FROM training_nominations n
                         WHERE n.cohort_id = c.id AND n.withdrawn_at IS NULL AND n.programme = ANY (m.programmes))
           ORDER BY m.starts_on"#,
        today
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.cohort_id, r.module_id, r.name, r.title, r.starts_on))
        .collect())
}

/// The coming modules of the cohorts the transaction's municipality has participants in,
/// with who of them takes part: (cohort id, module title, date, names).
pub async fn upcoming_for_nominees(
    tx: &mut TenantTx,
    today: Date,
) -> Result<Vec<(Uuid, String, String, Date, Option<Date>, Vec<String>)>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let rows = sqlx::query!(
        r#"SELECT m.cohort_id, c.name AS cohort, m.title, m.starts_on, m.ends_on,
                  array_agg(u.name ORDER BY lower(u.name)) AS "names!"
           FROM training_modules m
           JOIN training_cohorts c ON c.id = m.cohort_id
           JOIN training_nominations n ON n.cohort_id = m.cohort_id AND n.withdrawn_at IS NULL
                AND n.programme = ANY (m.programmes) AND n.municipality_id = $1
           JOIN users u ON u.id = n.user_id
           WHERE coalesce(m.ends_on, m.starts_on) >= $2
           GROUP BY m.id, c.name
           ORDER BY m.starts_on
           LIMIT 10"#,
        municipality_id,
        today
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.cohort_id,
                r.cohort,
                r.title,
                r.starts_on,
                r.ends_on,
                r.names,
            )
        })
        .collect())
}

// The national roster.

pub struct RosterFilter<'a> {
    pub q: &'a str,
    pub municipality_id: Option<Uuid>,
    pub region: &'a str,
    pub kind: &'a str,
    pub status: &'a str,
    pub free_only: bool,
    /// Obligation ending between today and this date.
    pub ending_by: Option<Date>,
    pub today: Date,
}

pub struct RosterRow {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub region: String,
    pub roles: Vec<Role>,
    pub training_status: TrainingStatus,
    pub trained_programme: Option<Programme>,
    pub cohort: Option<String>,
    pub trained_on: Option<Date>,
    pub corps_until: Option<Date>,
    pub available: bool,
    pub capacity: i16,
    pub load: i64,
    pub total: i64,
}

impl Counted for RosterRow {
    fn total(&self) -> i64 {
        self.total
    }
}

/// Every corps member of every municipality (national staff's transaction): staff data
/// and a count of courses per member from `corps_roster_load()`, never a course.
pub async fn roster(
    tx: &mut TenantTx,
    filter: &RosterFilter<'_>,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<RosterRow>, sqlx::Error> {
    sqlx::query_as!(
        RosterRow,
        r#"WITH members AS (
             SELECT cm.id, u.name, mu.name AS municipality, mu.region, m.roles, cm.training_status,
                    cm.trained_programme, c.name AS cohort, cm.trained_on, cm.corps_until,
                    (cm.active AND u.active) AS available, cm.capacity, coalesce(l.load, 0) AS load
             FROM corps_members cm
             JOIN users u ON u.id = cm.user_id
             JOIN municipalities mu ON mu.id = cm.municipality_id
             JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
             LEFT JOIN training_cohorts c ON c.id = cm.trained_cohort_id
             LEFT JOIN corps_roster_load() l ON l.member_id = cm.id
             WHERE ($1 = '' OR strpos(lower(u.name), lower($1)) > 0)
               AND ($2::uuid IS NULL OR cm.municipality_id = $2)
               AND ($3 = '' OR mu.region = $3)
               AND ($4 = '' OR $4 = ANY (m.roles))
               AND ($5 = '' OR cm.training_status = $5)
               AND ($7::date IS NULL OR cm.corps_until BETWEEN $8 AND $7)
           )
           SELECT id AS "id!", name AS "name!", municipality AS "municipality!", region AS "region!",
                  roles AS "roles!: Vec<Role>", training_status AS "training_status!: TrainingStatus",
                  trained_programme AS "trained_programme: Programme",
                  cohort AS "cohort?", trained_on, corps_until, available AS "available!",
                  capacity AS "capacity!", load AS "load!", count(*) OVER () AS "total!"
           FROM members
           WHERE NOT $6 OR (available AND load < capacity)
           ORDER BY
             CASE WHEN $9 = 'name' THEN lower(name) END ASC,
             CASE WHEN $9 = 'name_desc' THEN lower(name) END DESC,
             CASE WHEN $9 = 'municipality' THEN municipality END ASC,
             CASE WHEN $9 = 'municipality_desc' THEN municipality END DESC,
             CASE WHEN $9 = 'region' THEN region END ASC,
             CASE WHEN $9 = 'region_desc' THEN region END DESC,
             CASE WHEN $9 = 'trained_on' THEN trained_on END ASC,
             CASE WHEN $9 = 'trained_on_desc' THEN trained_on END DESC,
             CASE WHEN $9 = 'corps_until' THEN corps_until END ASC,
             CASE WHEN $9 = 'corps_until_desc' THEN corps_until END DESC,
             CASE WHEN $9 = 'free' THEN capacity - load END DESC,
             CASE WHEN $9 = 'free_desc' THEN capacity - load END ASC,
             municipality, lower(name)
           LIMIT $10 OFFSET $11"#,
        filter.q,
        filter.municipality_id,
        filter.region,
        filter.kind,
        filter.status,
        filter.free_only,
        filter.ending_by,
        filter.today,
        sort.key(),
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

/// (id, name) of every municipality, for the roster's filter.
pub async fn municipalities(tx: &mut TenantTx) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!("SELECT id, name FROM municipalities ORDER BY name")
        .fetch_all(tx.conn())
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Whether `user_id` is on the staff of the transaction's municipality.
pub async fn on_staff(tx: &mut TenantTx, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND municipality_id = $2) AS "on_staff!""#,
        user_id,
        municipality_id
    )
    .fetch_one(tx.conn())
    .await
}
