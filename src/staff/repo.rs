//! SQL for staff accounts of a municipality. Memberships are row-level secured, so a
//! user of another municipality is simply not found.

use uuid::Uuid;

use crate::db::TenantTx;
use crate::vocab::Role;
use crate::web::table::{Counted, Sort};

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub roles: Vec<Role>,
    pub total: i64,
}

impl Counted for Row {
    fn total(&self) -> i64 {
        self.total
    }
}

pub struct ListFilter<'a> {
    pub q: &'a str,
    pub role: &'a str,
    pub status: &'a str,
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
        r#"SELECT u.id, u.name, u.email, u.active, m.roles AS "roles: Vec<Role>", count(*) OVER () AS "total!"
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.municipality_id = $1
             AND ($2 = '' OR strpos(lower(u.name), lower($2)) > 0 OR strpos(lower(u.email), lower($2)) > 0)
             AND ($3 = '' OR $3 = ANY (m.roles))
             AND ($4 = '' OR ($4 = 'active' AND u.active) OR ($4 = 'inactive' AND NOT u.active))
           ORDER BY
             CASE WHEN $5 = 'name' AND NOT $6 THEN lower(u.name) END ASC,
             CASE WHEN $5 = 'name' AND $6 THEN lower(u.name) END DESC,
             CASE WHEN $5 = 'email' AND NOT $6 THEN lower(u.email) END ASC,
             CASE WHEN $5 = 'email' AND $6 THEN lower(u.email) END DESC,
             CASE WHEN $5 = 'status' AND NOT $6 THEN u.active END DESC,
             CASE WHEN $5 = 'status' AND $6 THEN u.active END ASC,
             lower(u.name), u.id
           LIMIT $7 OFFSET $8"#,
        municipality_id,
        filter.q,
        filter.role,
        filter.status,
        sort.column,
        sort.descending,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn count_active(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.municipality_id = $1 AND u.active"#,
        municipality_id
    )
    .fetch_one(tx.conn())
    .await
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub version: i32,
    pub roles: Vec<Role>,
}

/// A staff member of the transaction's municipality (None for anyone else).
pub async fn get(tx: &mut TenantTx, user_id: Uuid) -> Result<Option<Staff>, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    get_in(tx, municipality_id, user_id).await
}

/// A member of `municipality_id` (for national staff, who have no municipality of their own).
pub async fn get_in(
    tx: &mut TenantTx,
    municipality_id: impl Into<Option<Uuid>>,
    user_id: Uuid,
) -> Result<Option<Staff>, sqlx::Error> {
    let municipality_id: Option<Uuid> = municipality_id.into();
    let row = sqlx::query!(
        r#"SELECT u.id, u.name, u.email, u.active, u.version, m.roles AS "roles: Vec<Role>"
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.user_id = $1 AND m.municipality_id = $2"#,
        user_id,
        municipality_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|mut row| Staff {
        id: row.id,
        name: row.name,
        email: row.email,
        active: row.active,
        version: row.version,
        // In `Role::ALL` order, as the form saves them, so an unchanged form compares equal.
        roles: {
            row.roles.sort();
            row.roles.dedup();
            row.roles
        },
    }))
}

/// Whether anyone (but `except`) has the address, also an account this scope cannot see.
pub async fn email_in_use(
    tx: &mut TenantTx,
    email: &str,
    except: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT user_email_taken($1, $2) AS "exists!""#,
        email,
        except
    )
    .fetch_one(tx.conn())
    .await
}

/// Creates the account, without a password until its owner chooses one by the mailed
/// link, and its membership of `municipality_id`.
pub async fn insert(
    tx: &mut TenantTx,
    municipality_id: Uuid,
    name: &str,
    email: &str,
    roles: &[Role],
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO users (id, email, name, password_hash, enrol_second_factor)
         VALUES ($1, $2, $3, '', true)",
        id,
        email,
        name
    )
    .execute(tx.conn())
    .await?;
    sqlx::query!(
        "INSERT INTO memberships (id, user_id, municipality_id, roles) VALUES ($1, $2, $3, $4)",
        Uuid::now_v7(),
        id,
        municipality_id,
        roles as &[Role]
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Saves name, e-mail and roles if nobody saved since `version`; false when someone did.
pub async fn update(
    tx: &mut TenantTx,
    staff: &Staff,
    expected_version: i32,
) -> Result<bool, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let updated = sqlx::query!(
        "UPDATE users SET name = $3, email = $4, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $2",
        staff.id,
        expected_version,
        staff.name,
        staff.email
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE memberships SET roles = $3 WHERE user_id = $1 AND municipality_id = $2",
        staff.id,
        municipality_id,
        &staff.roles as &[Role]
    )
    .execute(tx.conn())
    .await?;
    Ok(true)
}

/// Deactivating ends every session of the user at once; reactivating does not bring
/// them back.
pub async fn set_active(tx: &mut TenantTx, user_id: Uuid, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET active = $2, version = version + 1, updated_at = now(),
                session_generation = CASE WHEN $2 THEN session_generation ELSE session_generation + 1 END
         WHERE id = $1",
        user_id,
        active
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Creates a national staff account (the `create-user` command, in a national transaction).
pub async fn insert_national(
    conn: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)",
        id,
        email,
        name,
        password_hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO memberships (id, user_id, municipality_id, roles) VALUES ($1, $2, NULL, ARRAY['national'])",
        Uuid::now_v7(),
        id
    )
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Whether the user also belongs to another municipality or to the national centre.
pub async fn has_other_memberships(tx: &mut TenantTx, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let count = sqlx::query_scalar!(r#"SELECT user_membership_count($1) AS "count!""#, user_id)
        .fetch_one(tx.conn())
        .await?;
    Ok(count > 1)
}

/// Whether the transaction's municipality requires a second factor of mentors and coaches.
/// The municipality's second-factor setting and the version of its settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requirement {
    pub required: bool,
    pub version: i32,
}

pub async fn requires_second_factor(tx: &mut TenantTx) -> Result<Requirement, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let row = sqlx::query!(
        "SELECT require_second_factor, version FROM municipalities WHERE id = $1",
        municipality_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row
        .map(|row| Requirement {
            required: row.require_second_factor,
            version: row.version,
        })
        .unwrap_or_default())
}

/// False when the municipality's settings are no longer at `version`.
pub async fn set_requires_second_factor(
    tx: &mut TenantTx,
    required: bool,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let municipality_id = tx.scope().municipality_id();
    let updated = sqlx::query!(
        "UPDATE municipalities SET require_second_factor = $2, version = version + 1
         WHERE id = $1 AND version = $3",
        municipality_id,
        required,
        version
    )
    .execute(tx.conn())
    .await?;
    Ok(updated.rows_affected() == 1)
}
