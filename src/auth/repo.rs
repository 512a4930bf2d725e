//! SQL for logins, sessions and passwords.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use uuid::Uuid;

use super::current_user::{CurrentUser, MunicipalityRef};
use crate::db::TenantTx;
use crate::i18n::Locale;
use crate::vocab::Role;

pub struct SessionUser {
    pub user: CurrentUser,
    pub active: bool,
    pub session_generation: i32,
}

pub async fn session_user(
    tx: &mut TenantTx,
    user_id: Uuid,
    membership_id: Uuid,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.name, u.email, u.locale, u.active, u.must_change_password,
                  u.session_generation, m.id AS membership_id, m.roles AS "roles: Vec<Role>",
                  mu.id AS "municipality_id?", mu.name AS "municipality_name?",
                  (SELECT count(*) FROM notices n WHERE n.user_id = u.id AND n.read_at IS NULL) AS "unread_notices!"
           FROM users u
           JOIN memberships m ON m.user_id = u.id AND m.id = $2
           LEFT JOIN municipalities mu ON mu.id = m.municipality_id
           WHERE u.id = $1"#,
        user_id,
        membership_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| SessionUser {
        active: row.active,
        session_generation: row.session_generation,
        user: CurrentUser {
            id: row.id,
            name: row.name,
            email: row.email,
            locale: Locale::from_code(&row.locale).unwrap_or_default(),
            must_change_password: row.must_change_password,
            membership_id: row.membership_id,
            roles: row.roles,
            municipality: row
                .municipality_id
                .zip(row.municipality_name)
                .map(|(id, name)| MunicipalityRef { id, name }),
            unread_notices: row.unread_notices,
        },
    }))
}

pub struct LoginAccount {
    pub id: Uuid,
    pub password_hash: String,
    pub active: bool,
    pub session_generation: i32,
}

/// Users are not tenant data (a login must find the account before any tenant is known).
pub async fn login_account(
    tx: &mut TenantTx,
    email: &str,
) -> Result<Option<LoginAccount>, sqlx::Error> {
    sqlx::query_as!(
        LoginAccount,
        "SELECT id, password_hash, active, session_generation FROM users WHERE lower(email) = lower($1)",
        email
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct MembershipChoice {
    pub id: Uuid,
    pub municipality_id: Option<Uuid>,
}

/// The membership a login starts in: national first, then the oldest.
pub async fn first_membership(
    tx: &mut TenantTx,
    user_id: Uuid,
) -> Result<Option<MembershipChoice>, sqlx::Error> {
    sqlx::query_as!(
        MembershipChoice,
        "SELECT id, municipality_id FROM memberships WHERE user_id = $1
         ORDER BY municipality_id IS NOT NULL, created_at LIMIT 1",
        user_id
    )
    .fetch_optional(tx.conn())
    .await
}

pub struct RecentFailures {
    pub for_account: i64,
    pub from_address: i64,
}

/// Failed logins in the last 15 minutes for this account and from this address.
pub async fn recent_failures(
    tx: &mut TenantTx,
    account: &str,
    addr: Option<IpAddr>,
) -> Result<RecentFailures, sqlx::Error> {
    let addr = addr.map(IpNetwork::from);
    let row = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE account = $1) AS "for_account!",
             count(*) FILTER (WHERE $2::inet IS NOT NULL AND client_addr = $2) AS "from_address!"
           FROM login_attempts
           WHERE NOT succeeded AND at > now() - interval '15 minutes'
             AND (account = $1 OR client_addr = $2)"#,
        account,
        addr
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(RecentFailures {
        for_account: row.for_account,
        from_address: row.from_address,
    })
}

pub async fn record_attempt(
    tx: &mut TenantTx,
    account: &str,
    addr: Option<IpAddr>,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_attempts (id, account, client_addr, succeeded) VALUES ($1, $2, $3, $4)",
        Uuid::now_v7(),
        account,
        addr.map(IpNetwork::from),
        succeeded
    )
    .execute(tx.conn())
    .await?;
    // Attempts only matter for 15 minutes; keep a day for investigation, no longer.
    sqlx::query!("DELETE FROM login_attempts WHERE at < now() - interval '1 day'")
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn password_hash(
    tx: &mut TenantTx,
    user_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_optional(tx.conn())
        .await
}

/// Sets a password and ends every session of the user by moving to a new session
/// generation, which it returns. `temporary` makes the user choose their own at the
/// next login.
pub async fn set_password(
    tx: &mut TenantTx,
    user_id: Uuid,
    hash: &str,
    temporary: bool,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, must_change_password = $3,
                session_generation = session_generation + 1, updated_at = now(), version = version + 1
         WHERE id = $1
         RETURNING session_generation",
        user_id,
        hash,
        temporary
    )
    .fetch_one(tx.conn())
    .await
}

pub async fn set_locale(
    tx: &mut TenantTx,
    user_id: Uuid,
    locale: Locale,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET locale = $2, updated_at = now() WHERE id = $1",
        user_id,
        locale.code()
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
