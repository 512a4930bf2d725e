//! SQL for logins, sessions and passwords.

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

/// A login finds the account before any tenant is known, when row-level security shows
/// no users at all: through a function that returns this much of one account.
pub async fn login_account(
    tx: &mut TenantTx,
    email: &str,
) -> Result<Option<LoginAccount>, sqlx::Error> {
    sqlx::query_as!(
        LoginAccount,
        r#"SELECT id AS "id!", password_hash AS "password_hash!", active AS "active!",
                  session_generation AS "session_generation!"
           FROM login_account($1)"#,
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

pub async fn password_hash(
    tx: &mut TenantTx,
    user_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_optional(tx.conn())
        .await
}

/// Sets a password and ends every session of the user by moving to a new session
/// generation, which it returns. `must_change` makes the user choose another at once.
pub async fn set_password(
    tx: &mut TenantTx,
    user_id: Uuid,
    hash: &str,
    must_change: bool,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, must_change_password = $3,
                session_generation = session_generation + 1, updated_at = now(), version = version + 1
         WHERE id = $1
         RETURNING session_generation",
        user_id,
        hash,
        must_change
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

/// The e-mail of a user visible in this scope.
pub async fn email_of(tx: &mut TenantTx, user_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT email FROM users WHERE id = $1", user_id)
        .fetch_optional(tx.conn())
        .await
}

/// Who a mail about their account goes to.
pub struct AccountAddressee {
    pub name: String,
    pub email: String,
    pub locale: Locale,
}

pub async fn addressee(
    tx: &mut TenantTx,
    user_id: Uuid,
) -> Result<Option<AccountAddressee>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT name, email, locale FROM users WHERE id = $1 AND active",
        user_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| AccountAddressee {
        name: row.name,
        email: row.email,
        locale: Locale::from_code(&row.locale).unwrap_or_default(),
    }))
}

/// The active account with this e-mail, before anyone is signed in ("forgot password").
pub async fn account_for_email(
    tx: &mut TenantTx,
    email: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT account_for_email($1) AS "id""#, email)
        .fetch_one(tx.conn())
        .await
}

/// The password was found among common breached ones: the user must choose another.
pub async fn require_new_password(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET must_change_password = true, updated_at = now() WHERE id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Takes the password away (a reset by a coordinator or national staff) and ends every
/// session of the user; they choose a new one by the link they are sent.
pub async fn clear_password(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = '', must_change_password = false,
                session_generation = session_generation + 1, updated_at = now(), version = version + 1
         WHERE id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Ends every session of the user (their e-mail changed, say).
pub async fn end_sessions(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET session_generation = session_generation + 1 WHERE id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
