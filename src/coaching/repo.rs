//! SQL for the coordinator's coaching log.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::web::table::Counted;

pub struct Uncoached {
    pub id: Uuid,
    pub name: String,
}

/// Members with courses in progress and no coaching logged since `since`.
pub async fn uncoached_members(
    tx: &mut TenantTx,
    since: Date,
) -> Result<Vec<Uncoached>, sqlx::Error> {
    sqlx::query_as!(
        Uncoached,
        r#"SELECT cm.id, u.name FROM corps_members cm JOIN users u ON u.id = cm.user_id
           WHERE cm.municipality_id = $1
             AND EXISTS (SELECT 1 FROM courses c WHERE c.member_id = cm.id AND c.state IN ('pre_meeting', 'active', 'ending'))
             AND NOT EXISTS (SELECT 1 FROM coaching_log l WHERE l.member_id = cm.id AND l.held_on >= $2)
           ORDER BY u.name"#,
        tx.scope().municipality_id(),
        since
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn insert(
    tx: &mut TenantTx,
    member_id: Uuid,
    held_on: Date,
    notes: &str,
    next_step: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO coaching_log (id, municipality_id, member_id, coordinator_id, held_on, notes, next_step)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        tx.scope().municipality_id(),
        member_id,
        tx.scope().user_id(),
        held_on,
        notes,
        next_step
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

pub struct Entry {
    pub id: Uuid,
    pub held_on: Date,
    pub member_name: String,
    pub coordinator_name: String,
    pub notes: String,
    pub next_step: String,
    pub total: i64,
}

impl Counted for Entry {
    fn total(&self) -> i64 {
        self.total
    }
}

pub async fn entries(
    tx: &mut TenantTx,
    member_id: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as!(
        Entry,
        r#"SELECT l.id, l.held_on, mu.name AS member_name, cu.name AS coordinator_name, l.notes, l.next_step, count(*) OVER () AS "total!"
           FROM coaching_log l
           JOIN corps_members cm ON cm.id = l.member_id JOIN users mu ON mu.id = cm.user_id
           JOIN users cu ON cu.id = l.coordinator_id
           WHERE l.municipality_id = $1 AND ($2::uuid IS NULL OR l.member_id = $2)
           ORDER BY l.held_on DESC, l.created_at DESC
           LIMIT $3 OFFSET $4"#,
        tx.scope().municipality_id(),
        member_id,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}
