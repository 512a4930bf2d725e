//! The sender: takes due rows from the outbox and delivers them, one row per transaction.
//!
//! A row is locked (`FOR UPDATE SKIP LOCKED`) while its mail is on the way and marked in
//! the same transaction, so several Korps instances on one database never send a row
//! twice. A failed delivery is tried again later (`retry_after`); after `MAX_ATTEMPTS`, or
//! at once when the server refuses the mail for good, the row shows as failed on the
//! outbox page for national staff, who can send it again.

use std::time::Duration;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use sqlx::PgPool;
use uuid::Uuid;

use super::transport::{Failure, Transport};
use crate::config::Config;
use crate::db::{Scope, TenantTx};

/// Tries before a mail shows as failed (about six hours of retries).
pub const MAX_ATTEMPTS: i32 = 12;
/// Rows handled in one round of the worker.
const BATCH: usize = 50;

/// The wait before the next try after `attempts` failed ones: 30 s, doubling, at most an hour.
pub fn retry_after(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs((30u64 << exponent.min(7)).min(3600))
}

pub struct Sender {
    pool: PgPool,
    transport: Transport,
    from: Mailbox,
    base: String,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

impl Sender {
    pub fn new(pool: PgPool, config: &Config) -> Result<Sender, String> {
        let from = config
            .mail_from
            .parse()
            .map_err(|err| format!("KORPS_MAIL_FROM {:?}: {err}", config.mail_from))?;
        Ok(Sender {
            pool,
            transport: Transport::new(config.smtp_url.as_deref(), config.mail_dir.clone())?,
            from,
            base: config.public_url(),
        })
    }

    /// Sends the rows that are due. Stops early when the server cannot be reached: the
    /// other rows wait for the next round without using up their tries.
    pub async fn send_due(&self) -> Result<Round, sqlx::Error> {
        let mut round = Round::default();
        for _ in 0..BATCH {
            let mut tx = TenantTx::begin(&self.pool, Scope::Job).await?;
            let Some(row) = sqlx::query!(
                "SELECT id, to_address, to_name, subject, body, attempts FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                 ORDER BY next_attempt_at, id
                 LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            .fetch_optional(tx.conn())
            .await?
            else {
                break;
            };
            let attempts = row.attempts + 1;
            let result = match self.message(
                row.id,
                &row.to_address,
                &row.to_name,
                &row.subject,
                &row.body,
            ) {
                Ok(message) => self.transport.send(message).await,
                Err(failure) => Err(failure),
            };
            match result {
                Ok(()) => {
                    sqlx::query!(
                        "UPDATE outbox SET sent_at = now(), attempts = $2, last_error = '' WHERE id = $1",
                        row.id,
                        attempts
                    )
                    .execute(tx.conn())
                    .await?;
                    tx.commit().await?;
                    round.sent += 1;
                }
                Err(failure) => {
                    let give_up = failure.permanent || attempts >= MAX_ATTEMPTS;
                    let wait = retry_after(attempts).as_secs() as f64;
                    sqlx::query!(
                        "UPDATE outbox SET attempts = $2, last_error = $3,
                                failed_at = CASE WHEN $4 THEN now() END,
                                next_attempt_at = now() + make_interval(secs => $5)
                         WHERE id = $1",
                        row.id,
                        attempts,
                        failure.message.chars().take(500).collect::<String>(),
                        give_up,
                        wait
                    )
                    .execute(tx.conn())
                    .await?;
                    tx.commit().await?;
                    tracing::warn!(mail = %row.id, attempts, give_up, error = %failure.message, "mail not delivered");
                    if give_up {
                        round.failed += 1;
                    } else {
                        round.retrying += 1;
                        if !failure.permanent {
                            break;
                        }
                    }
                }
            }
        }
        Ok(round)
    }

    fn message(
        &self,
        id: Uuid,
        to_address: &str,
        to_name: &str,
        subject: &str,
        body: &str,
    ) -> Result<Message, Failure> {
        let refused = |message: String| Failure {
            message,
            permanent: true,
        };
        let to = Mailbox::new(
            Some(to_name.to_string()).filter(|name| !name.is_empty()),
            to_address
                .parse()
                .map_err(|err| refused(format!("address: {err}")))?,
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .message_id(Some(format!("<{id}@korps>")))
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.replace(super::BASE, &self.base))
            .map_err(|err| refused(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(retry_after(1), Duration::from_secs(30));
        assert_eq!(retry_after(2), Duration::from_secs(60));
        assert_eq!(retry_after(4), Duration::from_secs(240));
        assert_eq!(retry_after(8), Duration::from_secs(3600));
        assert_eq!(retry_after(MAX_ATTEMPTS), Duration::from_secs(3600));
    }
}
