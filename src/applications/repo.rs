//! SQL for application rounds, applications, partners, the minutes file, reviews and
//! decisions. Row-level security decides what a transaction sees: another municipality's
//! application is simply not found.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    ApplicationState, Decision, Draft, PerProgramme, Programme, RoundKind, RoundState, Scores,
    ValidRound,
};
use crate::db::TenantTx;
use crate::web::table::{Counted, Sort};

// ---------------------------------------------------------------------------------------
// Rounds

#[derive(Debug, Clone)]
pub struct Round {
    pub id: Uuid,
    pub kind: RoundKind,
    pub title: String,
    pub description: String,
    pub state: RoundState,
    pub deadline: OffsetDateTime,
    pub capacity: Option<i16>,
    pub corps_until: Option<Date>,
    pub version: i32,
}

pub async fn insert_round(tx: &mut TenantTx, round: &ValidRound) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO application_rounds (id, kind, title, description, deadline, capacity, corps_until, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        round.kind as _,
        round.title,
        round.description,
        round.deadline,
        round.capacity,
        round.corps_until,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Saves the round if nobody saved since `version`; false when someone did.
pub async fn update_round(
    tx: &mut TenantTx,
    id: Uuid,
    round: &ValidRound,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE application_rounds
         SET title = $3, description = $4, deadline = $5, capacity = $6, corps_until = $7,
             version = version + 1
         WHERE id = $1 AND version = $2",
        id,
        version,
        round.title,
        round.description,
        round.deadline,
        round.capacity,
        round.corps_until
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn set_round_state(
    tx: &mut TenantTx,
    id: Uuid,
    state: RoundState,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE application_rounds
         SET state = $2, version = version + 1,
             opened_at = CASE WHEN $2 = 'open' THEN coalesce(opened_at, now()) ELSE opened_at END,
             closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE NULL END
         WHERE id = $1",
        id,
        state as _
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn get_round(tx: &mut TenantTx, id: Uuid) -> Result<Option<Round>, sqlx::Error> {
    sqlx::query_as!(
        Round,
        r#"SELECT id, kind AS "kind: RoundKind", title, description, state AS "state: RoundState",
                  deadline, capacity, corps_until, version
           FROM application_rounds WHERE id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

/// Locks the round row: decisions that count against its capacity queue up behind it.
pub async fn lock_round(tx: &mut TenantTx, id: Uuid) -> Result<Option<Round>, sqlx::Error> {
    sqlx::query_as!(
        Round,
        r#"SELECT id, kind AS "kind: RoundKind", title, description, state AS "state: RoundState",
                  deadline, capacity, corps_until, version
           FROM application_rounds WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct RoundRow {
    pub round: Round,
    /// Applications past the draft stage.
    pub received: i64,
    /// Received and not yet decided.
    pub undecided: i64,
    pub accepted: i64,
    pub total: i64,
}

impl Counted for RoundRow {
    fn total(&self) -> i64 {
        self.total
    }
}

/// One page of the rounds the transaction may see, open and planned first, newest
/// deadline first.
pub async fn list_rounds(
    tx: &mut TenantTx,
    limit: i64,
    offset: i64,
) -> Result<Vec<RoundRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.kind AS "kind: RoundKind", r.title, r.description,
                  r.state AS "state: RoundState", r.deadline, r.capacity, r.corps_until, r.version,
                  count(a.id) FILTER (WHERE a.state <> 'draft') AS "received!",
                  count(a.id) FILTER (WHERE a.state IN ('awaiting_partners', 'submitted', 'under_review')) AS "undecided!",
                  count(a.id) FILTER (WHERE a.state IN ('approved', 'accepted')) AS "accepted!",
                  count(*) OVER () AS "total!"
           FROM application_rounds r LEFT JOIN applications a ON a.round_id = r.id
           GROUP BY r.id
           ORDER BY CASE r.state WHEN 'open' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END, r.deadline DESC, r.id
           LIMIT $1 OFFSET $2"#,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let round = Round {
                id: row.id,
                kind: row.kind,
                title: row.title,
                description: row.description,
                state: row.state,
                deadline: row.deadline,
                capacity: row.capacity,
                corps_until: row.corps_until,
                version: row.version,
            };
            RoundRow {
                round,
                received: row.received,
                undecided: row.undecided,
                accepted: row.accepted,
                total: row.total,
            }
        })
        .collect())
}

/// Open rounds with the transaction's municipality's own application in each, if any.
pub struct OpenRound {
    pub round: Round,
    pub application_id: Option<Uuid>,
    pub application_state: Option<ApplicationState>,
}

pub async fn open_rounds(tx: &mut TenantTx) -> Result<Vec<OpenRound>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let rows = sqlx::query!(
        r#"SELECT r.id, r.kind AS "kind: RoundKind", r.title, r.description,
                  r.state AS "state: RoundState", r.deadline, r.capacity, r.corps_until, r.version,
                  a.id AS "application_id?", a.state AS "application_state?: ApplicationState"
           FROM application_rounds r
           LEFT JOIN applications a ON a.round_id = r.id AND a.municipality_id = $1
           WHERE r.state = 'open'
           ORDER BY r.deadline"#,
        municipality_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let round = Round {
                id: row.id,
                kind: row.kind,
                title: row.title,
                description: row.description,
                state: row.state,
                deadline: row.deadline,
                capacity: row.capacity,
                corps_until: row.corps_until,
                version: row.version,
            };
            OpenRound {
                round,
                application_id: row.application_id,
                application_state: row.application_state,
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Applications

/// Starts the municipality's application to a round, or finds the one it has.
pub async fn create_application(
    tx: &mut TenantTx,
    round_id: Uuid,
    municipality_id: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO applications (id, round_id, municipality_id, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (round_id, municipality_id) DO NOTHING",
        id,
        round_id,
        municipality_id,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    sqlx::query_scalar!(
        "SELECT id FROM applications WHERE round_id = $1 AND municipality_id = $2",
        round_id,
        municipality_id
    )
    .fetch_one(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: Uuid,
    pub round_id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub region: String,
    pub state: ApplicationState,
    pub draft: Draft,
    pub decision_reason: String,
    pub seats: PerProgramme,
    pub start_on: Option<Date>,
    pub decided_at: Option<OffsetDateTime>,
    pub submitted_at: Option<OffsetDateTime>,
    pub version: i32,
}

pub async fn get_application(
    tx: &mut TenantTx,
    id: Uuid,
) -> Result<Option<Application>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.round_id, a.municipality_id, a.state AS "state: ApplicationState",
                  a.mentor_candidates, a.parent_coach_candidates, a.coordinator_candidates,
                  a.challenges, a.organisation_staff, a.organisation_responsible,
                  a.organisation_partners, a.organisation_coordination, a.recruitment,
                  a.target_groups, a.management_support, a.legal_basis, a.commit_lend,
                  a.commit_method, a.commit_corps, a.motivation, a.notifications_count,
                  a.measures_count, a.indicators_note, a.leadership_resources,
                  a.signatory_name, a.signatory_title, a.signed_on, a.preferred_start,
                  a.earlier_assistance, a.decision_reason, a.mentor_seats,
                  a.parent_coach_seats, a.coordinator_seats, a.start_on, a.decided_at,
                  a.submitted_at, a.version, m.name AS municipality_name, m.region
           FROM applications a JOIN municipalities m ON m.id = a.municipality_id
           WHERE a.id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| Application {
        id: row.id,
        round_id: row.round_id,
        municipality_id: row.municipality_id,
        municipality_name: row.municipality_name,
        region: row.region,
        state: row.state,
        draft: Draft {
            candidates: PerProgramme([
                row.mentor_candidates,
                row.parent_coach_candidates,
                row.coordinator_candidates,
            ]),
            challenges: row.challenges,
            organisation_staff: row.organisation_staff,
            organisation_responsible: row.organisation_responsible,
            organisation_partners: row.organisation_partners,
            organisation_coordination: row.organisation_coordination,
            recruitment: row.recruitment,
            target_groups: row.target_groups,
            management_support: row.management_support,
            legal_basis: row.legal_basis,
            commit_lend: row.commit_lend,
            commit_method: row.commit_method,
            commit_corps: row.commit_corps,
            motivation: row.motivation,
            notifications_count: row.notifications_count,
            measures_count: row.measures_count,
            indicators_note: row.indicators_note,
            leadership_resources: row.leadership_resources,
            signatory_name: row.signatory_name,
            signatory_title: row.signatory_title,
            signed_on: row.signed_on,
            preferred_start: row.preferred_start,
            earlier_assistance: row.earlier_assistance,
        },
        decision_reason: row.decision_reason,
        seats: PerProgramme([
            row.mentor_seats,
            row.parent_coach_seats,
            row.coordinator_seats,
        ]),
        start_on: row.start_on,
        decided_at: row.decided_at,
        submitted_at: row.submitted_at,
        version: row.version,
    }))
}

/// Stores a draft if nobody saved since `version` and it is still a draft; false when not.
pub async fn save_draft(
    tx: &mut TenantTx,
    id: Uuid,
    draft: &Draft,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let c = &draft.candidates;
    let updated = sqlx::query!(
        "UPDATE applications SET
            mentor_candidates = $3, parent_coach_candidates = $4, coordinator_candidates = $5,
            challenges = $6, organisation_staff = $7, organisation_responsible = $8,
            organisation_partners = $9, organisation_coordination = $10, recruitment = $11,
            target_groups = $12, management_support = $13, legal_basis = $14,
            commit_lend = $15, commit_method = $16, commit_corps = $17,
            motivation = $18, notifications_count = $19, measures_count = $20,
            indicators_note = $21, leadership_resources = $22, signatory_name = $23,
            signatory_title = $24, signed_on = $25, preferred_start = $26,
            earlier_assistance = $27, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2 AND state = 'draft'",
        id,
        version,
        c.get(Programme::Mentor),
        c.get(Programme::ParentCoach),
        c.get(Programme::Coordinator),
        draft.challenges,
        draft.organisation_staff,
        draft.organisation_responsible,
        draft.organisation_partners,
        draft.organisation_coordination,
        draft.recruitment,
        draft.target_groups,
        draft.management_support,
        draft.legal_basis,
        draft.commit_lend,
        draft.commit_method,
        draft.commit_corps,
        draft.motivation,
        draft.notifications_count,
        draft.measures_count,
        draft.indicators_note,
        draft.leadership_resources,
        draft.signatory_name,
        draft.signatory_title,
        draft.signed_on,
        draft.preferred_start,
        draft.earlier_assistance
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Moves a draft on to `state` (awaiting partners or submitted).
pub async fn submit(
    tx: &mut TenantTx,
    id: Uuid,
    state: ApplicationState,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE applications SET state = $2, submitted_by = $3,
                submitted_at = CASE WHEN $2 = 'submitted' THEN now() ELSE NULL END,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND state = 'draft'",
        id,
        state as _,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct ListFilter<'a> {
    pub state: Option<ApplicationState>,
    pub region: &'a str,
    pub programme: Option<Programme>,
}

pub struct ListRow {
    pub id: Uuid,
    pub municipality_name: String,
    pub region: String,
    pub state: ApplicationState,
    pub candidates: PerProgramme,
    pub partners: i64,
    pub total_score: Option<i16>,
    pub scored_count: Option<i16>,
    pub submitted_at: Option<OffsetDateTime>,
    pub preferred_start: Option<Date>,
    pub total: i64,
}

impl Counted for ListRow {
    fn total(&self) -> i64 {
        self.total
    }
}

/// One page of the applications of a round past the draft stage (national staff),
/// filtered and sorted.
pub async fn list_for_round(
    tx: &mut TenantTx,
    round_id: Uuid,
    filter: &ListFilter<'_>,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT a.id, m.name AS municipality_name, m.region, a.state AS "state: ApplicationState",
                  a.mentor_candidates, a.parent_coach_candidates, a.coordinator_candidates,
                  (SELECT count(*) FROM application_partners p WHERE p.application_id = a.id) AS "partners!",
                  r.total_score AS "total_score?", r.scored_count AS "scored_count?",
                  a.submitted_at, a.preferred_start, count(*) OVER () AS "total!"
           FROM applications a
           JOIN municipalities m ON m.id = a.municipality_id
           LEFT JOIN application_reviews r ON r.application_id = a.id
           WHERE a.round_id = $1 AND a.state <> 'draft'
             AND ($2::text IS NULL OR a.state = $2)
             AND ($3 = '' OR m.region = $3)
             AND ($4::text IS NULL
                  OR ($4 = 'mentor' AND a.mentor_candidates > 0)
                  OR ($4 = 'parent_coach' AND a.parent_coach_candidates > 0)
                  OR ($4 = 'coordinator' AND a.coordinator_candidates > 0))
           ORDER BY
             CASE WHEN $5 = 'municipality' AND NOT $6 THEN lower(m.name) END ASC,
             CASE WHEN $5 = 'municipality' AND $6 THEN lower(m.name) END DESC,
             CASE WHEN $5 = 'region' AND NOT $6 THEN m.region END ASC,
             CASE WHEN $5 = 'region' AND $6 THEN m.region END DESC,
             CASE WHEN $5 = 'state' AND NOT $6 THEN a.state END ASC,
             CASE WHEN $5 = 'state' AND $6 THEN a.state END DESC,
             CASE WHEN $5 = 'score' AND NOT $6 THEN coalesce(r.total_score, -1) END ASC,
             CASE WHEN $5 = 'score' AND $6 THEN coalesce(r.total_score, -1) END DESC,
             CASE WHEN $5 = 'submitted' AND NOT $6 THEN a.submitted_at END ASC,
             CASE WHEN $5 = 'submitted' AND $6 THEN a.submitted_at END DESC,
             lower(m.name), a.id
           LIMIT $7 OFFSET $8"#,
        round_id,
        filter.state as _,
        filter.region,
        filter.programme as _,
        sort.column,
        sort.descending,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ListRow {
            id: row.id,
            municipality_name: row.municipality_name,
            region: row.region,
            state: row.state,
            candidates: PerProgramme([
                row.mentor_candidates,
                row.parent_coach_candidates,
                row.coordinator_candidates,
            ]),
            partners: row.partners,
            total_score: row.total_score,
            scored_count: row.scored_count,
            submitted_at: row.submitted_at,
            preferred_start: row.preferred_start,
            total: row.total,
        })
        .collect())
}

/// Applicant municipalities per region (lead and partners), of applications past the draft.
pub async fn region_spread(
    tx: &mut TenantTx,
    round_id: Uuid,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT m.region, count(DISTINCT m.id) AS "count!"
           FROM applications a
           LEFT JOIN application_partners p ON p.application_id = a.id
           JOIN municipalities m ON m.id = a.municipality_id OR m.id = p.partner_municipality_id
           WHERE a.round_id = $1 AND a.state <> 'draft'
           GROUP BY m.region"#,
        round_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.region, row.count))
        .collect())
}

/// Per programme: (applications asking for it, candidates asked for, seats granted).
pub async fn programme_mix(
    tx: &mut TenantTx,
    round_id: Uuid,
) -> Result<[(i64, i64, i64); 3], sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE mentor_candidates > 0) AS "mentor_apps!",
             coalesce(sum(mentor_candidates), 0) AS "mentor_candidates!",
             coalesce(sum(mentor_seats), 0) AS "mentor_seats!",
             count(*) FILTER (WHERE parent_coach_candidates > 0) AS "coach_apps!",
             coalesce(sum(parent_coach_candidates), 0) AS "coach_candidates!",
             coalesce(sum(parent_coach_seats), 0) AS "coach_seats!",
             count(*) FILTER (WHERE coordinator_candidates > 0) AS "coordinator_apps!",
             coalesce(sum(coordinator_candidates), 0) AS "coordinator_candidates!",
             coalesce(sum(coordinator_seats), 0) AS "coordinator_seats!"
           FROM applications WHERE round_id = $1 AND state <> 'draft'"#,
        round_id
    )
    .fetch_one(tx.conn())
    .await?;
    Ok([
        (row.mentor_apps, row.mentor_candidates, row.mentor_seats),
        (row.coach_apps, row.coach_candidates, row.coach_seats),
        (
            row.coordinator_apps,
            row.coordinator_candidates,
            row.coordinator_seats,
        ),
    ])
}

/// Applications of the transaction's municipality, as lead or partner, newest first.
pub struct OwnRow {
    pub id: Uuid,
    pub round_title: String,
    pub round_kind: RoundKind,
    pub deadline: OffsetDateTime,
    pub lead_name: String,
    pub state: ApplicationState,
    pub is_lead: bool,
    pub partner_confirmed: Option<bool>,
    pub decision_reason: String,
    pub seats: PerProgramme,
    pub start_on: Option<Date>,
}

pub async fn list_own(tx: &mut TenantTx) -> Result<Vec<OwnRow>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let rows = sqlx::query!(
        r#"SELECT a.id, r.title AS round_title, r.kind AS "round_kind: RoundKind", r.deadline,
                  m.name AS lead_name, a.state AS "state: ApplicationState", a.municipality_id = $1 AS "is_lead!",
                  (p.confirmed_at IS NOT NULL) AS "partner_confirmed?",
                  a.decision_reason, a.mentor_seats, a.parent_coach_seats, a.coordinator_seats,
                  a.start_on
           FROM applications a
           JOIN application_rounds r ON r.id = a.round_id
           JOIN municipalities m ON m.id = a.municipality_id
           LEFT JOIN application_partners p ON p.application_id = a.id AND p.partner_municipality_id = $1
           WHERE a.municipality_id = $1 OR p.partner_municipality_id = $1
           ORDER BY r.deadline DESC, m.name"#,
        municipality_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| OwnRow {
            id: row.id,
            round_title: row.round_title,
            round_kind: row.round_kind,
            deadline: row.deadline,
            lead_name: row.lead_name,
            state: row.state,
            is_lead: row.is_lead,
            partner_confirmed: if row.is_lead {
                None
            } else {
                row.partner_confirmed
            },
            decision_reason: row.decision_reason,
            seats: PerProgramme([
                row.mentor_seats,
                row.parent_coach_seats,
                row.coordinator_seats,
            ]),
            start_on: row.start_on,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Partners

pub struct Partner {
    pub municipality_id: Uuid,
    pub name: String,
    pub confirmed_at: Option<OffsetDateTime>,
}

pub async fn partners(
    tx: &mut TenantTx,
    application_id: Uuid,
) -> Result<Vec<Partner>, sqlx::Error> {
    sqlx::query_as!(
        Partner,
        "SELECT p.partner_municipality_id AS municipality_id, m.name, p.confirmed_at
         FROM application_partners p JOIN municipalities m ON m.id = p.partner_municipality_id
         WHERE p.application_id = $1 ORDER BY m.name",
        application_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn add_partner(
    tx: &mut TenantTx,
    application_id: Uuid,
    municipality_id: Uuid,
    lead_municipality_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO application_partners (application_id, partner_municipality_id, municipality_id)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        application_id,
        municipality_id,
        lead_municipality_id
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn remove_partner(
    tx: &mut TenantTx,
    application_id: Uuid,
    municipality_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!(
        "DELETE FROM application_partners WHERE application_id = $1 AND partner_municipality_id = $2",
        application_id,
        municipality_id
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(deleted == 1)
}

/// The calling municipality confirms its part; returns the application's state after.
pub async fn confirm_partner(
    tx: &mut TenantTx,
    application_id: Uuid,
) -> Result<ApplicationState, sqlx::Error> {
    let user_id = tx.scope().user_id();
    sqlx::query_scalar!(
        r#"SELECT confirm_application_partner($1, $2) AS "state!: ApplicationState""#,
        application_id,
        user_id
    )
    .fetch_one(tx.conn())
    .await
}

/// Every municipality but the transaction's own, to pick partners from.
pub async fn other_municipalities(tx: &mut TenantTx) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let rows = sqlx::query!(
        "SELECT id, name FROM municipalities WHERE id IS DISTINCT FROM $1 ORDER BY name",
        municipality_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

// ---------------------------------------------------------------------------------------
// The minutes file

pub struct FileMeta {
    pub file_name: String,
    pub size_bytes: i32,
    pub uploaded_at: OffsetDateTime,
}

pub async fn file_meta(
    tx: &mut TenantTx,
    application_id: Uuid,
) -> Result<Option<FileMeta>, sqlx::Error> {
    sqlx::query_as!(
        FileMeta,
        "SELECT file_name, size_bytes, uploaded_at FROM application_files WHERE application_id = $1",
        application_id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn file(
    tx: &mut TenantTx,
    application_id: Uuid,
) -> Result<Option<StoredFile>, sqlx::Error> {
    sqlx::query_as!(
        StoredFile,
        "SELECT file_name, content_type, content FROM application_files WHERE application_id = $1",
        application_id
    )
    .fetch_optional(tx.conn())
    .await
}

/// Stores the minutes of `application_id`, replacing an earlier file.
pub async fn put_file(
    tx: &mut TenantTx,
    application_id: Uuid,
    municipality_id: Uuid,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Result<(), sqlx::Error> {
    let size = i32::try_from(content.len()).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO application_files (id, application_id, municipality_id, file_name, content_type, size_bytes, content, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (application_id) DO UPDATE SET
            file_name = EXCLUDED.file_name, content_type = EXCLUDED.content_type,
            size_bytes = EXCLUDED.size_bytes, content = EXCLUDED.content,
            uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()",
        Uuid::now_v7(),
        application_id,
        municipality_id,
        file_name,
        content_type,
        size,
        content,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reviews (national only: the table's policy lets no one else see it)

pub struct Review {
    pub scores: Scores,
    pub version: i32,
    pub updated_by: Option<String>,
    pub updated_at: OffsetDateTime,
}

pub async fn review(
    tx: &mut TenantTx,
    application_id: Uuid,
) -> Result<Option<Review>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT r.scores, r.version, u.name AS "updated_by?", r.updated_at
           FROM application_reviews r LEFT JOIN users u ON u.id = r.updated_by
           WHERE r.application_id = $1"#,
        application_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| Review {
        scores: serde_json::from_value(row.scores).unwrap_or_default(),
        version: row.version,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
    }))
}

/// Saves the scores if nobody saved since `version` (0: no review yet); false when
/// someone did. A submitted application moves to "under review".
pub async fn save_review(
    tx: &mut TenantTx,
    application_id: Uuid,
    scores: &Scores,
    total: i16,
    scored: i16,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_value(scores).unwrap_or_default();
    let user_id = tx.scope().user_id();
    let saved = if version == 0 {
        sqlx::query!(
            "INSERT INTO application_reviews (application_id, scores, total_score, scored_count, updated_by)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id) DO NOTHING",
            application_id,
            json,
            total,
            scored,
            user_id
        )
        .execute(tx.conn())
        .await?
        .rows_affected()
    } else {
        sqlx::query!(
            "UPDATE application_reviews SET scores = $3, total_score = $4, scored_count = $5,
                    updated_by = $6, updated_at = now(), version = version + 1
             WHERE application_id = $1 AND version = $2",
            application_id,
            version,
            json,
            total,
            scored,
            user_id
        )
        .execute(tx.conn())
        .await?
        .rows_affected()
    };
    if saved == 1 {
        sqlx::query!(
            "UPDATE applications SET state = 'under_review', updated_at = now()
             WHERE id = $1 AND state = 'submitted'",
            application_id
        )
        .execute(tx.conn())
        .await?;
    }
    Ok(saved == 1)
}

// ---------------------------------------------------------------------------------------
// Decisions

/// Applications of the round accepted, other than `except`.
pub async fn count_accepted(
    tx: &mut TenantTx,
    round_id: Uuid,
    except: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM applications
           WHERE round_id = $1 AND state = 'accepted' AND id <> $2"#,
        round_id,
        except
    )
    .fetch_one(tx.conn())
    .await
}

/// Records the decision if nobody changed the application since `version`.
pub async fn decide(
    tx: &mut TenantTx,
    id: Uuid,
    decision: &Decision,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let seats = &decision.seats;
    let updated = sqlx::query!(
        "UPDATE applications SET state = $3, decision_reason = $4,
                mentor_seats = $5, parent_coach_seats = $6, coordinator_seats = $7,
                start_on = $8, decided_at = now(), decided_by = $9,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2
           AND state IN ('submitted', 'under_review', 'approved', 'accepted', 'deferred', 'rejected')",
        id,
        version,
        decision.outcome as _,
        decision.reason,
        seats.get(Programme::Mentor),
        seats.get(Programme::ParentCoach),
        seats.get(Programme::Coordinator),
        decision.start_on,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// For the national start page: undecided applications per open or closed round.
pub async fn awaiting_review(tx: &mut TenantTx) -> Result<Vec<(Uuid, String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.title, count(a.id) AS "count!"
           FROM application_rounds r JOIN applications a ON a.round_id = r.id
           WHERE a.state IN ('submitted', 'under_review')
           GROUP BY r.id ORDER BY r.deadline"#
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.id, row.title, row.count))
        .collect())
}
