//! SQL for the audit log.

use sqlx::types::ipnetwork::IpNetwork;
use time::Date;
use uuid::Uuid;

use super::Event;
use crate::db::TenantTx;
use crate::web::client::ClientAddr;

pub async fn insert(
    tx: &mut TenantTx,
    municipality_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    addr: ClientAddr,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    let details = if event.details.is_null() {
        serde_json::json!({})
    } else {
        event.details.clone()
    };
    sqlx::query!(
        "INSERT INTO audit_log (id, municipality_id, actor_id, action, subject_type, subject_id, citizen_id, purpose, client_addr, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        Uuid::now_v7(),
        municipality_id,
        actor_id,
        event.action,
        event.subject_type,
        event.subject_id,
        event.citizen_id,
        event.purpose,
        addr.0.map(IpNetwork::from),
        details
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

pub struct Entry {
    /// In Danish time, as shown.
    pub at_local: String,
    pub actor_name: Option<String>,
    pub action: String,
    /// The name of the record when it is a person (staff account).
    pub subject_name: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    pub purpose: Option<String>,
    pub client_addr: Option<IpNetwork>,
}

/// One page of the municipality's log, newest first, and the number of matching entries.
/// Row-level security limits it to the transaction's municipality.
pub async fn page(
    tx: &mut TenantTx,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Entry>, i64), sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    // Dates are whole days in Danish time.
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_log
           WHERE municipality_id = $1
             AND ($2::uuid IS NULL OR actor_id = $2)
             AND ($3::text IS NULL OR action = $3)
             AND ($4::date IS NULL OR at >= ($4::date::timestamp AT TIME ZONE 'Europe/Copenhagen'))
             AND ($5::date IS NULL OR at < (($5::date + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen'))"#,
        municipality_id,
        filter.actor_id,
        filter.action,
        filter.from,
        filter.to
    )
    .fetch_one(tx.conn())
    .await?;
    let entries = sqlx::query_as!(
        Entry,
        r#"SELECT to_char(a.at AT TIME ZONE 'Europe/Copenhagen', 'DD-MM-YYYY HH24:MI:SS') AS "at_local!",
                  u.name AS "actor_name?", a.action, s.name AS "subject_name?", a.subject_type, a.subject_id, a.purpose, a.client_addr
           FROM audit_log a
           LEFT JOIN users u ON u.id = a.actor_id
           LEFT JOIN users s ON a.subject_type = 'user' AND s.id = a.subject_id
           WHERE a.municipality_id = $1
             AND ($2::uuid IS NULL OR a.actor_id = $2)
             AND ($3::text IS NULL OR a.action = $3)
             AND ($4::date IS NULL OR a.at >= ($4::date::timestamp AT TIME ZONE 'Europe/Copenhagen'))
             AND ($5::date IS NULL OR a.at < (($5::date + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen'))
           ORDER BY a.at DESC, a.id DESC
           LIMIT $6 OFFSET $7"#,
        municipality_id,
        filter.actor_id,
        filter.action,
        filter.from,
        filter.to,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    Ok((entries, total))
}

pub struct Actor {
    pub id: Uuid,
    pub name: String,
}

/// Everyone who appears in the municipality's log, for the filter.
pub async fn actors(tx: &mut TenantTx) -> Result<Vec<Actor>, sqlx::Error> {
    sqlx::query_as!(
        Actor,
        "SELECT u.id, u.name FROM users u
         WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.municipality_id = $1)
         ORDER BY u.name",
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await
}
