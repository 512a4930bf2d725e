//! A user's mail choices: the digest's frequency and the notice kinds not wanted by mail.

use uuid::Uuid;

use super::NoticeKind;
use crate::db::TenantTx;

/// The digest frequencies, as stored.
pub const DIGESTS: &[&str] = &["daily", "weekly", "off"];

pub struct Preferences {
    pub digest: String,
    pub mail_off: Vec<NoticeKind>,
}

pub async fn get(tx: &mut TenantTx, user_id: Uuid) -> Result<Preferences, sqlx::Error> {
    sqlx::query_as!(
        Preferences,
        r#"SELECT digest, mail_off AS "mail_off: Vec<NoticeKind>" FROM users WHERE id = $1"#,
        user_id
    )
    .fetch_one(tx.conn())
    .await
}

pub async fn set(
    tx: &mut TenantTx,
    user_id: Uuid,
    preferences: &Preferences,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET digest = $2, mail_off = $3, updated_at = now() WHERE id = $1",
        user_id,
        preferences.digest,
        &preferences.mail_off as &[NoticeKind]
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
