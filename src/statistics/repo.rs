//! SQL of the API tokens (migration 0019). A user reads and changes only their own tokens,
//! in a national transaction (row-level security); a request with a token resolves it
//! through the definer function `api_token_user`, which answers a user id and nothing else.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::TenantTx;

pub struct Token {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// The transaction user's tokens, the newest first.
pub async fn list(tx: &mut TenantTx, user_id: Uuid) -> Result<Vec<Token>, sqlx::Error> {
    sqlx::query_as!(
        Token,
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        user_id
    )
    .fetch_all(tx.conn())
    .await
}

pub async fn create(
    tx: &mut TenantTx,
    id: Uuid,
    user_id: Uuid,
    name: &str,
    token_hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES ($1, $2, $3, $4)",
        id,
        user_id,
        name,
        token_hash
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Revokes one of the user's tokens. `None`: the user has no such token; `Some(false)`:
/// it was revoked already.
pub async fn revoke(
    tx: &mut TenantTx,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<bool>, sqlx::Error> {
    let revoked = sqlx::query_scalar!(
        r#"SELECT revoked_at IS NOT NULL AS "revoked!" FROM api_tokens
           WHERE id = $1 AND user_id = $2 FOR UPDATE"#,
        id,
        user_id
    )
    .fetch_optional(tx.conn())
    .await?;
    match revoked {
        None => Ok(None),
        Some(true) => Ok(Some(false)),
        Some(false) => {
            sqlx::query!(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2",
                id,
                user_id
            )
            .execute(tx.conn())
            .await?;
            Ok(Some(true))
        }
    }
}

/// The active national user a token's hash belongs to (any transaction, also an
/// anonymous one); none for an unknown or revoked token.
pub async fn token_user(tx: &mut TenantTx, token_hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT api_token_user($1)", token_hash)
        .fetch_one(tx.conn())
        .await
}

/// Notes that a token was used (in its user's national transaction).
pub async fn mark_used(tx: &mut TenantTx, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1",
        token_hash
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}
