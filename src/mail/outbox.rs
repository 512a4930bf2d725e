//! The outbox: every mail is a row written in the transaction of the event that causes it.

use uuid::Uuid;

use crate::db::TenantTx;

/// A mail to queue. `body` may contain [`super::BASE`] where links begin.
pub struct Outgoing<'a> {
    /// 'digest' or a notice kind's code.
    pub kind: &'a str,
    pub user_id: Option<Uuid>,
    pub to_address: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn queue(tx: &mut TenantTx, mail: &Outgoing<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO outbox (id, kind, user_id, to_address, to_name, subject, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::now_v7(),
        mail.kind,
        mail.user_id,
        mail.to_address,
        mail.to_name,
        mail.subject,
        mail.body
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// One row of the outbox page.
pub struct Row {
    pub id: Uuid,
    pub created_at: time::OffsetDateTime,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub attempts: i32,
    pub sent_at: Option<time::OffsetDateTime>,
    pub failed_at: Option<time::OffsetDateTime>,
    pub last_error: String,
}

/// The outbox, newest first; `status` is '', 'failed', 'waiting' or 'sent'.
pub async fn list(
    tx: &mut TenantTx,
    status: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM outbox
           WHERE $1 = ''
              OR ($1 = 'failed' AND failed_at IS NOT NULL)
              OR ($1 = 'sent' AND sent_at IS NOT NULL)
              OR ($1 = 'waiting' AND sent_at IS NULL AND failed_at IS NULL)"#,
        status
    )
    .fetch_one(tx.conn())
    .await?;
    let rows = sqlx::query_as!(
        Row,
        "SELECT id, created_at, kind, to_address, subject, attempts, sent_at, failed_at, last_error
         FROM outbox
         WHERE $1 = ''
            OR ($1 = 'failed' AND failed_at IS NOT NULL)
            OR ($1 = 'sent' AND sent_at IS NOT NULL)
            OR ($1 = 'waiting' AND sent_at IS NULL AND failed_at IS NULL)
         ORDER BY created_at DESC, id DESC
         LIMIT $2 OFFSET $3",
        status,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    Ok((rows, total))
}

/// Puts a failed mail back in the queue, to be tried at once. False when it was not failed.
pub async fn resend(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = now()
         WHERE id = $1 AND failed_at IS NOT NULL",
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What `/metrics` tells of the outbox: mails waiting, the oldest one's age, mails given up.
pub async fn health(tx: &mut TenantTx) -> Result<crate::metrics::Outbox, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AS "waiting!",
                  coalesce(extract(epoch FROM now() - min(created_at)
                      FILTER (WHERE sent_at IS NULL AND failed_at IS NULL))::float8, 0) AS "oldest!",
                  count(*) FILTER (WHERE failed_at IS NOT NULL) AS "failed!"
           FROM outbox
           WHERE (sent_at IS NULL AND failed_at IS NULL) OR failed_at IS NOT NULL"#
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(crate::metrics::Outbox {
        waiting: row.waiting,
        oldest_seconds: row.oldest,
        failed: row.failed,
    })
}
