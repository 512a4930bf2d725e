//! SQL for matching.

use time::Date;
use uuid::Uuid;

use super::model::{Needs, Offer};
use crate::db::TenantTx;
use crate::vocab::CourseKind;

pub struct Candidate {
    pub member_id: Uuid,
    pub municipality_id: Uuid,
    pub municipality_name: String,
    pub name: String,
    pub offer: Offer,
}

/// Active, trained members of the right kind across the corps, with their load, through
/// the `corps_candidates` function (staff data only).
pub async fn candidates(
    tx: &mut TenantTx,
    kind: CourseKind,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT member_id AS "member_id!", municipality_id AS "municipality_id!", municipality_name AS "municipality_name!",
                  name AS "name!", gender, birth_year, languages AS "languages!", cultural_background,
                  religion_competence AS "religion_competence!", politics_competence AS "politics_competence!", temperament,
                  experience AS "experience!", availability AS "availability!", capacity AS "capacity!", load AS "load!"
           FROM corps_candidates($1)"#,
        kind.code()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            member_id: r.member_id,
            municipality_id: r.municipality_id,
            municipality_name: r.municipality_name,
            name: r.name,
            offer: Offer {
                gender: r.gender,
                birth_year: r.birth_year,
                languages: r.languages,
                cultural_background: r.cultural_background,
                religion_competence: r.religion_competence,
                politics_competence: r.politics_competence,
                temperament: r.temperament,
                experience: r.experience,
                availability: r.availability,
                capacity: r.capacity,
                load: r.load,
            },
        })
        .collect())
}

/// The needs of the course's first participant (the mentee, or the parent).
pub async fn needs(tx: &mut TenantTx, course_id: Uuid) -> Result<Needs, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT c.preferred_gender, c.preferred_age_band, c.preferred_language, c.languages, c.preferred_culture,
                c.needs_religion_politics, c.needed_temperament, c.needed_experience, c.needed_availability
         FROM course_participants p JOIN citizens c ON c.id = p.citizen_id
         WHERE p.course_id = $1 ORDER BY c.kind = 'mentee' DESC, p.joined_on LIMIT 1",
        course_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row
        .map(|r| Needs {
            preferred_gender: r.preferred_gender,
            preferred_age_band: r.preferred_age_band,
            preferred_language: r.preferred_language,
            languages: r.languages,
            preferred_culture: r.preferred_culture,
            needs_religion_politics: r.needs_religion_politics,
            needed_temperament: r.needed_temperament,
            needed_experience: r.needed_experience,
            needed_availability: r.needed_availability,
        })
        .unwrap_or_default())
}

/// Members recorded as in conflict with any participant of the course.
pub async fn conflicts(tx: &mut TenantTx, course_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT mc.member_id FROM member_conflicts mc JOIN course_participants p ON p.citizen_id = mc.citizen_id
         WHERE p.course_id = $1",
        course_id
    )
    .fetch_all(tx.conn())
    .await
}

pub enum Assigned {
    Done,
    /// The member's last free place was taken in the meantime.
    Full,
    /// The course is no longer waiting for a match.
    Gone,
}

/// Assigns `member_id` to the course. The member's row is locked first, so two
/// coordinators taking the last free place at the same moment cannot both succeed.
pub async fn assign(
    tx: &mut TenantTx,
    course_id: Uuid,
    member_id: Uuid,
    override_reason: &str,
    on: Date,
) -> Result<Assigned, sqlx::Error> {
    let capacity = sqlx::query_scalar!(
        "SELECT capacity FROM corps_members WHERE id = $1 AND municipality_id = $2 FOR UPDATE",
        member_id,
        tx.scope().municipality_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    let Some(capacity) = capacity else {
        return Ok(Assigned::Full);
    };
    let load = sqlx::query_scalar!(
        // Courses in sight plus agreed loans: a lent member's course elsewhere is not.
        r#"SELECT (SELECT count(*) FROM courses WHERE member_id = $1 AND state IN ('matched', 'pre_meeting', 'active', 'ending'))
                + (SELECT count(*) FROM loans WHERE member_id = $1 AND state = 'agreed'
                     AND municipality_id <> (SELECT municipality_id FROM corps_members WHERE id = $1)) AS "count!""#,
        member_id
    )
    .fetch_one(tx.conn())
    .await?;
    if load >= i64::from(capacity) {
        return Ok(Assigned::Full);
    }
    let updated = sqlx::query!(
        "UPDATE courses SET member_id = $2, state = 'matched', matched_on = $3, match_override_reason = $4,
                version = version + 1, updated_at = now()
         WHERE id = $1 AND state = 'referred'",
        course_id,
        member_id,
        on,
        override_reason
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(if updated == 1 {
        Assigned::Done
    } else {
        Assigned::Gone
    })
}
