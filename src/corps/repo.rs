//! SQL for member profiles.

use uuid::Uuid;

use super::model::Profile;
use crate::db::TenantTx;
use crate::vocab::{CourseState, Role, TrainingStatus};
use crate::web::table::{Counted, Sort};

fn load_states() -> Vec<String> {
    CourseState::LOAD
        .iter()
        .map(|state| state.code().to_string())
        .collect()
}

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub user_active: bool,
    pub training_status: TrainingStatus,
    pub capacity: i16,
    pub load: i64,
    pub languages: Vec<String>,
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
    pub language: &'a str,
    pub free_only: bool,
    pub trained_only: bool,
}

pub async fn list(
    tx: &mut TenantTx,
    filter: &ListFilter<'_>,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        Row,
        r#"WITH members AS (
             SELECT cm.id, u.name, m.roles, cm.active, u.active AS user_active, cm.training_status,
                    cm.capacity, cm.languages,
                    (SELECT count(*) FROM courses c WHERE c.member_id = cm.id AND c.state = ANY ($8)) AS load
             FROM corps_members cm
             JOIN users u ON u.id = cm.user_id
             JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
             WHERE cm.municipality_id = $1
               AND ($2 = '' OR strpos(lower(u.name), lower($2)) > 0)
               AND ($3 = '' OR $3 = ANY (m.roles))
               AND ($4 = '' OR $4 = ANY (cm.languages))
               AND (NOT $5 OR cm.training_status = 'trained')
           )
           SELECT id AS "id!", name AS "name!", roles AS "roles!: Vec<Role>", active AS "active!", user_active AS "user_active!",
                  training_status AS "training_status!: TrainingStatus", capacity AS "capacity!", load AS "load!",
                  languages AS "languages!", count(*) OVER () AS "total!"
           FROM members
           WHERE NOT $6 OR (active AND user_active AND load < capacity)
           ORDER BY
             CASE WHEN $7 = 'name' THEN lower(name) END ASC,
             CASE WHEN $7 = 'name_desc' THEN lower(name) END DESC,
             CASE WHEN $7 = 'free' THEN capacity - load END DESC,
             CASE WHEN $7 = 'free_desc' THEN capacity - load END ASC,
             lower(name)
           LIMIT $9 OFFSET $10"#,
        municipality_id,
        filter.q,
        filter.kind,
        filter.language,
        filter.trained_only,
        filter.free_only,
        sort.key(),
        &load_states(),
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
    pub load: i64,
    pub version: i32,
    pub profile: Profile,
}

/// A member of the transaction's municipality, by profile id or by user id.
pub async fn get(
    tx: &mut TenantTx,
    id: Option<Uuid>,
    user_id: Option<Uuid>,
) -> Result<Option<Member>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let row = sqlx::query!(
        r#"SELECT cm.id, cm.user_id, u.name, m.roles AS "roles: Vec<Role>", cm.version, cm.active,
                  cm.training_status AS "training_status: TrainingStatus", cm.trained_on,
                  cm.capacity, cm.gender, cm.birth_year, cm.languages, cm.cultural_background,
                  cm.religion_competence, cm.politics_competence, cm.temperament, cm.experience,
                  cm.availability, cm.notes,
                  (SELECT count(*) FROM courses c WHERE c.member_id = cm.id AND c.state = ANY ($4)) AS "load!"
           FROM corps_members cm
           JOIN users u ON u.id = cm.user_id
           JOIN memberships m ON m.user_id = cm.user_id AND m.municipality_id = cm.municipality_id
           WHERE cm.municipality_id = $1 AND ($2::uuid IS NULL OR cm.id = $2) AND ($3::uuid IS NULL OR cm.user_id = $3)"#,
        municipality_id,
        id,
        user_id,
        &load_states()
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| Member {
        id: row.id,
        user_id: row.user_id,
        name: row.name,
        roles: row.roles,
        load: row.load,
        version: row.version,
        profile: Profile {
            active: row.active,
            training_status: row.training_status,
            trained_on: row.trained_on,
            capacity: row.capacity,
            gender: row.gender,
            birth_year: row.birth_year,
            languages: row.languages,
            cultural_background: row.cultural_background,
            religion_competence: row.religion_competence,
            politics_competence: row.politics_competence,
            temperament: row.temperament,
            experience: row.experience,
            availability: row.availability,
            notes: row.notes,
        },
    }))
}

/// Saves the whole profile if nobody saved since `version`; false when someone did.
pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    profile: &Profile,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE corps_members SET active = $3, training_status = $4, trained_on = $5, capacity = $6, gender = $7,
                birth_year = $8, languages = $9, cultural_background = $10, religion_competence = $11,
                politics_competence = $12, temperament = $13, experience = $14, availability = $15, notes = $16,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2",
        id,
        version,
        profile.active,
        profile.training_status as _,
        profile.trained_on,
        profile.capacity,
        profile.gender,
        profile.birth_year,
        &profile.languages,
        profile.cultural_background,
        profile.religion_competence,
        profile.politics_competence,
        profile.temperament,
        &profile.experience,
        &profile.availability,
        profile.notes
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// What members may change themselves: languages and availability. False when the
/// profile is no longer at `version` (someone saved in between).
pub async fn update_own(
    tx: &mut TenantTx,
    id: Uuid,
    languages: &[String],
    availability: &[String],
    version: i32,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE corps_members SET languages = $2, availability = $3, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $4",
        id,
        languages,
        availability,
        version
    )
    .execute(tx.conn())
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Gives a staff member with a member role a profile in the transaction's municipality.
pub async fn ensure_profile(
    tx: &mut TenantTx,
    municipality_id: Uuid,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO corps_members (id, municipality_id, user_id) VALUES ($1, $2, $3)
         ON CONFLICT (municipality_id, user_id) DO NOTHING",
        Uuid::now_v7(),
        municipality_id,
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub struct MemberChoice {
    pub id: Uuid,
    pub name: String,
}

/// Members for a select (coaching log, course filters), active first.
pub async fn options(tx: &mut TenantTx) -> Result<Vec<MemberChoice>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_as!(
        MemberChoice,
        "SELECT cm.id, u.name FROM corps_members cm JOIN users u ON u.id = cm.user_id
         WHERE cm.municipality_id = $1 ORDER BY u.active DESC, lower(u.name)",
        municipality_id
    )
    .fetch_all(tx.conn())
    .await
}
