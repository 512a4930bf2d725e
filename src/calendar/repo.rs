//! SQL of the calendar feed. The feed's own row is the user's (row-level security); the
//! events are read in the user's own transactions, so the feed shows what the user may see
//! and nothing more. No query here touches a citizen.

use time::{Date, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::training::model::EventKind;

pub struct Feed {
    pub created_at: OffsetDateTime,
    pub last_read_at: Option<OffsetDateTime>,
}

/// The transaction user's feed, if they have one.
pub async fn feed(tx: &mut TenantTx, user_id: Uuid) -> Result<Option<Feed>, sqlx::Error> {
    sqlx::query_as!(
        Feed,
        "SELECT created_at, last_read_at FROM calendar_feeds WHERE user_id = $1",
        user_id
    )
    .fetch_optional(tx.conn())
    .await
}

/// Creates the user's feed, or gives it a new token (the old one stops working).
pub async fn replace(
    tx: &mut TenantTx,
    user_id: Uuid,
    token_hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE
         SET token_hash = EXCLUDED.token_hash, created_at = now(), last_read_at = NULL",
        user_id,
        token_hash
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Revokes the user's feed; `false` when there was none.
pub async fn revoke(tx: &mut TenantTx, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!("DELETE FROM calendar_feeds WHERE user_id = $1", user_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(deleted > 0)
}

/// The active user a token's hash belongs to (any transaction, also an anonymous one).
pub async fn feed_user(tx: &mut TenantTx, token_hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT calendar_feed_user($1)", token_hash)
        .fetch_one(tx.conn())
        .await
}

/// Notes that the feed was fetched (in the feed user's own transaction).
pub async fn mark_read(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE calendar_feeds SET last_read_at = now() WHERE user_id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The user's language and the municipalities they work in (their own transaction).
pub async fn reader(tx: &mut TenantTx, user_id: Uuid) -> Result<(String, Vec<Uuid>), sqlx::Error> {
    let locale = sqlx::query_scalar!("SELECT locale FROM users WHERE id = $1", user_id)
        .fetch_one(tx.conn())
        .await?;
    let municipalities = sqlx::query_scalar!(
        r#"SELECT municipality_id AS "municipality_id!" FROM memberships
           WHERE user_id = $1 AND municipality_id IS NOT NULL
             AND roles && ARRAY['coordinator', 'mentor', 'parent_coach']
           ORDER BY created_at"#,
        user_id
    )
    .fetch_all(tx.conn())
    .await?;
    Ok((locale, municipalities))
}

pub struct Meeting {
    pub course_id: Uuid,
    pub starts: PrimitiveDateTime,
    pub ends: PrimitiveDateTime,
}

/// The planned next meetings of the user's open courses from `since` on, in Danish local
/// time (a lent member's loan course too: its policy admits it in the member's own
/// municipality's transaction).
pub async fn meetings(
    tx: &mut TenantTx,
    since: OffsetDateTime,
) -> Result<Vec<Meeting>, sqlx::Error> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT c.id AS course_id,
                  (c.next_meeting_at AT TIME ZONE 'Europe/Copenhagen') AS "starts!",
                  ((c.next_meeting_at + make_interval(mins => c.next_meeting_minutes::int))
                       AT TIME ZONE 'Europe/Copenhagen') AS "ends!"
           FROM courses c JOIN corps_members cm ON cm.id = c.member_id
           WHERE cm.user_id = app_user_id() AND c.next_meeting_at >= $1
             AND c.next_meeting_minutes IS NOT NULL
             AND c.state IN ('matched', 'pre_meeting', 'active', 'ending', 'follow_up')
           ORDER BY c.next_meeting_at"#,
        since
    )
    .fetch_all(tx.conn())
    .await
}

/// A training module or a corps event: whole days.
pub struct Days {
    pub id: Uuid,
    /// A corps event's kind; none for a training module.
    pub event_kind: Option<EventKind>,
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub place: String,
}

/// The modules of the programme the user is nominated to in the transaction's
/// municipality, ending on or after `since`.
pub async fn modules(tx: &mut TenantTx, since: Date) -> Result<Vec<Days>, sqlx::Error> {
    sqlx::query_as!(
        Days,
        r#"SELECT m.id, NULL::text AS "event_kind?: EventKind", m.title, m.starts_on, m.ends_on, m.place
           FROM training_modules m
           JOIN training_nominations n ON n.cohort_id = m.cohort_id AND n.withdrawn_at IS NULL
                AND n.programme = ANY (m.programmes)
           WHERE n.user_id = app_user_id() AND coalesce(m.ends_on, m.starts_on) >= $1
           ORDER BY m.starts_on"#,
        since
    )
    .fetch_all(tx.conn())
    .await
}

/// Network meetings and advanced modules for a programme the user is a trained, active
/// member of in the transaction's municipality, ending on or after `since`.
pub async fn corps_events(tx: &mut TenantTx, since: Date) -> Result<Vec<Days>, sqlx::Error> {
    sqlx::query_as!(
        Days,
        r#"SELECT e.id, e.kind AS "event_kind?: EventKind", e.title, e.starts_on, e.ends_on, e.place
           FROM corps_events e
           WHERE coalesce(e.ends_on, e.starts_on) >= $1
             AND EXISTS (SELECT 1 FROM corps_members cm
                         JOIN memberships ms ON ms.user_id = cm.user_id AND ms.municipality_id = cm.municipality_id
                         WHERE cm.user_id = app_user_id() AND cm.municipality_id = app_municipality_id()
                           AND cm.active AND cm.training_status = 'trained' AND ms.roles && e.programmes)
           ORDER BY e.starts_on"#,
        since
    )
    .fetch_all(tx.conn())
    .await
}
