//! SQL for citizens, their consents, relations and conflicts.

use time::Date;
use uuid::Uuid;

use super::model::Citizen;
use crate::db::TenantTx;
use crate::vocab::{CitizenKind, CourseKind, CourseState};
use crate::web::table::Counted;

pub async fn insert(tx: &mut TenantTx, c: &Citizen) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let municipality_id = tx.scope().municipality_id();
    sqlx::query!(
        "INSERT INTO citizens (id, municipality_id, kind, name, birth_year, gender, languages, cultural_background,
                referred_on, referral_source, referred_by, criteria, legal_basis, legal_basis_note,
                preferred_gender, preferred_age_band, preferred_language, preferred_culture, preference_note,
                needs_religion_politics, needed_temperament, needed_experience, needed_availability,
                other_efforts, other_efforts_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
        id,
        municipality_id,
        c.kind as _,
        c.name,
        c.birth_year,
        c.gender,
        &c.languages,
        c.cultural_background,
        c.referred_on,
        c.referral_source,
        c.referred_by,
        &c.criteria,
        c.legal_basis,
        c.legal_basis_note,
        c.preferred_gender,
        c.preferred_age_band,
        c.preferred_language,
        c.preferred_culture,
        c.preference_note,
        c.needs_religion_politics,
        c.needed_temperament,
        &c.needed_experience,
        &c.needed_availability,
        &c.other_efforts,
        c.other_efforts_note
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Saves the citizen if nobody saved since `version`; false when someone did.
pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    c: &Citizen,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE citizens SET kind = $3, name = $4, birth_year = $5, gender = $6, languages = $7, cultural_background = $8,
                referred_on = $9, referral_source = $10, referred_by = $11, criteria = $12, legal_basis = $13,
                legal_basis_note = $14, preferred_gender = $15, preferred_age_band = $16, preferred_language = $17,
                preferred_culture = $18, preference_note = $19, needs_religion_politics = $20, needed_temperament = $21,
                needed_experience = $22, needed_availability = $23, other_efforts = $24, other_efforts_note = $25,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2",
        id,
        version,
        c.kind as _,
        c.name,
        c.birth_year,
        c.gender,
        &c.languages,
        c.cultural_background,
        c.referred_on,
        c.referral_source,
        c.referred_by,
        &c.criteria,
        c.legal_basis,
        c.legal_basis_note,
        c.preferred_gender,
        c.preferred_age_band,
        c.preferred_language,
        c.preferred_culture,
        c.preference_note,
        c.needs_religion_politics,
        c.needed_temperament,
        &c.needed_experience,
        &c.needed_availability,
        &c.other_efforts,
        c.other_efforts_note
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub struct Record {
    pub id: Uuid,
    pub version: i32,
    pub citizen: Citizen,
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<Record>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT id, version, kind AS "kind: CitizenKind", name, birth_year, gender, languages,
                  cultural_background, referred_on, referral_source, referred_by, criteria,
                  legal_basis, legal_basis_note, preferred_gender, preferred_age_band,
                  preferred_language, preferred_culture, preference_note, needs_religion_politics,
                  needed_temperament, needed_experience, needed_availability, other_efforts,
                  other_efforts_note
           FROM citizens WHERE id = $1 AND municipality_id = $2"#,
        id,
        tx.scope().municipality_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| Record {
        id: r.id,
        version: r.version,
        citizen: Citizen {
            kind: r.kind,
            name: r.name,
            birth_year: r.birth_year,
            gender: r.gender,
            languages: r.languages,
            cultural_background: r.cultural_background,
            referred_on: r.referred_on,
            referral_source: r.referral_source,
            referred_by: r.referred_by,
            criteria: r.criteria,
            legal_basis: r.legal_basis,
            legal_basis_note: r.legal_basis_note,
            preferred_gender: r.preferred_gender,
            preferred_age_band: r.preferred_age_band,
            preferred_language: r.preferred_language,
            preferred_culture: r.preferred_culture,
            preference_note: r.preference_note,
            needs_religion_politics: r.needs_religion_politics,
            needed_temperament: r.needed_temperament,
            needed_experience: r.needed_experience,
            needed_availability: r.needed_availability,
            other_efforts: r.other_efforts,
            other_efforts_note: r.other_efforts_note,
        },
    }))
}

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub kind: CitizenKind,
    pub birth_year: Option<i16>,
    pub referred_on: Date,
    /// The state of the citizen's latest course, if any.
    pub course_state: Option<CourseState>,
    pub total: i64,
}

impl Counted for Row {
    fn total(&self) -> i64 {
        self.total
    }
}

pub struct ListFilter<'a> {
    pub q: &'a str,
    pub kind: &'a str,
    /// '', 'waiting' (no course or a course waiting for a match), 'open', 'closed'.
    pub status: &'a str,
}

pub async fn list(
    tx: &mut TenantTx,
    f: &ListFilter<'_>,
    descending: bool,
    sort: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"SELECT c.id, c.name, c.kind AS "kind: CitizenKind", c.birth_year, c.referred_on,
                  latest.state AS "course_state?: CourseState", count(*) OVER () AS "total!"
           FROM citizens c
           LEFT JOIN LATERAL (
             SELECT co.state FROM course_participants p JOIN courses co ON co.id = p.course_id
             WHERE p.citizen_id = c.id ORDER BY co.referred_on DESC, co.created_at DESC LIMIT 1
           ) latest ON true
           WHERE c.municipality_id = $1
             AND ($2 = '' OR strpos(lower(c.name), lower($2)) > 0)
             AND ($3 = '' OR c.kind = $3)
             AND ($4 = ''
                  OR ($4 = 'waiting' AND (latest.state IS NULL OR latest.state = 'referred'))
                  OR ($4 = 'open' AND latest.state IN ('matched', 'pre_meeting', 'active', 'ending', 'follow_up'))
                  OR ($4 = 'closed' AND latest.state IN ('closed', 'cancelled')))
           ORDER BY
             CASE WHEN $5 = 'name' AND NOT $6 THEN lower(c.name) END ASC,
             CASE WHEN $5 = 'name' AND $6 THEN lower(c.name) END DESC,
             CASE WHEN $5 = 'referred_on' AND NOT $6 THEN c.referred_on END ASC,
             CASE WHEN $5 = 'referred_on' AND $6 THEN c.referred_on END DESC,
             c.referred_on DESC, c.id
           LIMIT $7 OFFSET $8"#,
        tx.scope().municipality_id(),
        f.q,
        f.kind,
        f.status,
        sort,
        descending,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Consent {
    pub id: Uuid,
    pub kind: String,
    pub given_by: String,
    pub given_on: Date,
    pub withdrawn_on: Option<Date>,
}

pub async fn consents(tx: &mut TenantTx, citizen_id: Uuid) -> Result<Vec<Consent>, sqlx::Error> {
    sqlx::query_as!(
        Consent,
        "SELECT id, kind, given_by, given_on, withdrawn_on FROM consents WHERE citizen_id = $1 ORDER BY given_on DESC, created_at DESC",
        citizen_id
    )
    .fetch_all(tx.conn())
    .await
}

/// Whether the citizen has a consent of `kind` in force today.
pub async fn has_consent(
    tx: &mut TenantTx,
    citizen_id: Uuid,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM consents WHERE citizen_id = $1 AND kind = $2 AND withdrawn_on IS NULL) AS "exists!""#,
        citizen_id,
        kind
    )
    .fetch_one(tx.conn())
    .await
}

pub async fn add_consent(
    tx: &mut TenantTx,
    citizen_id: Uuid,
    kind: &str,
    given_by: &str,
    given_on: Date,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO consents (id, municipality_id, citizen_id, kind, given_by, given_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        tx.scope().municipality_id(),
        citizen_id,
        kind,
        given_by,
        given_on,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Withdraws a consent in force; false if there was none with that id for this citizen.
pub async fn withdraw_consent(
    tx: &mut TenantTx,
    citizen_id: Uuid,
    consent_id: Uuid,
    on: Date,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE consents SET withdrawn_on = GREATEST($3, given_on) WHERE id = $1 AND citizen_id = $2 AND withdrawn_on IS NULL",
        consent_id,
        citizen_id,
        on
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub struct Relation {
    pub other_id: Uuid,
    pub other_name: String,
    pub relation: String,
}

pub async fn relations(tx: &mut TenantTx, citizen_id: Uuid) -> Result<Vec<Relation>, sqlx::Error> {
    sqlx::query_as!(
        Relation,
        r#"SELECT c.id AS other_id, c.name AS other_name, r.relation
           FROM citizen_relations r
           JOIN citizens c ON c.id = CASE WHEN r.mentee_id = $1 THEN r.relative_id ELSE r.mentee_id END
           WHERE r.mentee_id = $1 OR r.relative_id = $1
           ORDER BY c.name"#,
        citizen_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn add_relation(
    tx: &mut TenantTx,
    mentee_id: Uuid,
    relative_id: Uuid,
    relation: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO citizen_relations (id, municipality_id, mentee_id, relative_id, relation) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (mentee_id, relative_id) DO UPDATE SET relation = EXCLUDED.relation",
        Uuid::now_v7(),
        tx.scope().municipality_id(),
        mentee_id,
        relative_id,
        relation
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct CitizenChoice {
    pub id: Uuid,
    pub name: String,
    pub birth_year: Option<i16>,
}

/// The municipality's citizens of one kind, for selects.
/// Every citizen of `kind` (the new relatives' network form lists the relatives).
pub async fn choices(
    tx: &mut TenantTx,
    kind: CitizenKind,
) -> Result<Vec<CitizenChoice>, sqlx::Error> {
    sqlx::query_as!(
        CitizenChoice,
        "SELECT id, name, birth_year FROM citizens WHERE municipality_id = $1 AND kind = $2 ORDER BY lower(name) LIMIT 2000",
        tx.scope().municipality_id(),
        kind as _
    )
    .fetch_all(tx.conn())
    .await
}

/// Citizens of `kind` whose name contains `q` (case-insensitively), at most `limit`.
pub async fn search(
    tx: &mut TenantTx,
    kind: CitizenKind,
    q: &str,
    limit: i64,
) -> Result<Vec<CitizenChoice>, sqlx::Error> {
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    sqlx::query_as!(
        CitizenChoice,
        r"SELECT id, name, birth_year FROM citizens
          WHERE municipality_id = $1 AND kind = $2 AND lower(name) LIKE $3 ESCAPE '\'
          ORDER BY lower(name), birth_year LIMIT $4",
        tx.scope().municipality_id(),
        kind as _,
        pattern,
        limit
    )
    .fetch_all(tx.conn())
    .await
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub struct Conflict {
    pub member_name: String,
    pub reason: String,
}

pub async fn conflicts(tx: &mut TenantTx, citizen_id: Uuid) -> Result<Vec<Conflict>, sqlx::Error> {
    sqlx::query_as!(
        Conflict,
        "SELECT u.name AS member_name, mc.reason FROM member_conflicts mc
         JOIN corps_members cm ON cm.id = mc.member_id JOIN users u ON u.id = cm.user_id
         WHERE mc.citizen_id = $1 ORDER BY u.name",
        citizen_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn add_conflict(
    tx: &mut TenantTx,
    citizen_id: Uuid,
    member_id: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO member_conflicts (id, municipality_id, citizen_id, member_id, reason, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (citizen_id, member_id) DO UPDATE SET reason = EXCLUDED.reason",
        Uuid::now_v7(),
        tx.scope().municipality_id(),
        citizen_id,
        member_id,
        reason,
        tx.scope().user_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct CourseOfCitizen {
    pub id: Uuid,
    pub kind: CourseKind,
    pub state: CourseState,
    pub referred_on: Date,
    pub member_name: Option<String>,
}

pub async fn courses(
    tx: &mut TenantTx,
    citizen_id: Uuid,
) -> Result<Vec<CourseOfCitizen>, sqlx::Error> {
    sqlx::query_as!(
        CourseOfCitizen,
        r#"SELECT co.id, co.kind AS "kind: CourseKind", co.state AS "state: CourseState", co.referred_on,
                  u.name AS "member_name?"
           FROM course_participants p JOIN courses co ON co.id = p.course_id
           LEFT JOIN corps_members cm ON cm.id = co.member_id LEFT JOIN users u ON u.id = cm.user_id
           WHERE p.citizen_id = $1 ORDER BY co.referred_on DESC"#,
        citizen_id
    )
    .fetch_all(tx.conn())
    .await
}
