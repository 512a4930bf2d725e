//! SQL for municipalities (the tenants).

use uuid::Uuid;

use crate::db::TenantTx;
use crate::web::table::{Counted, Sort};

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub code: i16,
    pub region: String,
    pub coordinators: i64,
    pub staff: i64,
    pub total: i64,
}

impl Counted for Row {
    fn total(&self) -> i64 {
        self.total
    }
}

pub async fn list(
    tx: &mut TenantTx,
    q: &str,
    sort: Sort,
    limit: i64,
    offset: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"SELECT mu.id, mu.name, mu.code, mu.region,
                  count(m.id) FILTER (WHERE 'coordinator' = ANY (m.roles) AND u.active) AS "coordinators!",
                  count(m.id) FILTER (WHERE u.active) AS "staff!",
                  count(*) OVER () AS "total!"
           FROM municipalities mu
           LEFT JOIN memberships m ON m.municipality_id = mu.id
           LEFT JOIN users u ON u.id = m.user_id
           WHERE $1 = '' OR strpos(lower(mu.name), lower($1)) > 0 OR mu.code::text = $1
           GROUP BY mu.id
           ORDER BY
             CASE WHEN $2 = 'name' AND NOT $3 THEN lower(mu.name) END ASC,
             CASE WHEN $2 = 'name' AND $3 THEN lower(mu.name) END DESC,
             CASE WHEN $2 = 'code' AND NOT $3 THEN mu.code END ASC,
             CASE WHEN $2 = 'code' AND $3 THEN mu.code END DESC,
             CASE WHEN $2 = 'region' AND NOT $3 THEN mu.region END ASC,
             CASE WHEN $2 = 'region' AND $3 THEN mu.region END DESC,
             lower(mu.name)
           LIMIT $4 OFFSET $5"#,
        q,
        sort.column,
        sort.descending,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

pub struct Municipality {
    pub id: Uuid,
    pub name: String,
    pub code: i16,
    pub region: String,
    pub staff: i64,
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<Municipality>, sqlx::Error> {
    sqlx::query_as!(
        Municipality,
        r#"SELECT mu.id, mu.name, mu.code, mu.region,
                  (SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
                   WHERE m.municipality_id = mu.id AND u.active) AS "staff!"
           FROM municipalities mu WHERE mu.id = $1"#,
        id
    )
    .fetch_optional(tx.conn())
    .await
}

pub async fn insert(
    tx: &mut TenantTx,
    name: &str,
    code: i16,
    region: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO municipalities (id, name, code, region) VALUES ($1, $2, $3, $4)",
        id,
        name,
        code,
        region
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

pub struct Coordinator {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub active: bool,
    /// Has chosen a password (an invited coordinator has not, until they follow the link).
    pub set_up: bool,
    pub second_factor: bool,
}

pub async fn coordinators(
    tx: &mut TenantTx,
    municipality_id: Uuid,
) -> Result<Vec<Coordinator>, sqlx::Error> {
    sqlx::query_as!(
        Coordinator,
        r#"SELECT u.id, u.name, u.email, u.active, u.password_hash <> '' AS "set_up!",
                  second_factor_enrolled(u.id) AS "second_factor!"
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.municipality_id = $1 AND 'coordinator' = ANY (m.roles)
           ORDER BY u.active DESC, lower(u.name)"#,
        municipality_id
    )
    .fetch_all(tx.conn())
    .await
}

/// A municipality and its region: public facts, which every role may read.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: Uuid,
    pub name: String,
    pub region: String,
}

/// Every municipality with its region, by region and name.
pub async fn areas(tx: &mut TenantTx) -> Result<Vec<Area>, sqlx::Error> {
    sqlx::query_as!(
        Area,
        "SELECT id, name, region FROM municipalities ORDER BY region, lower(name)"
    )
    .fetch_all(tx.conn())
    .await
}
