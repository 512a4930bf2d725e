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
/// How long a claimed row is kept from other senders while its mail is on the way.
const LEASE: Duration = Duration::from_secs(600);
/// The longest wait for the mail server, from connecting to its answer to the message.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

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

    /// Sends the rows that are due. Stops early when a delivery fails: the other rows
    /// wait for the next round without using up their tries.
    ///
    /// A row is first claimed in a short transaction (its try counted, and leased for
    /// `LEASE` so no other sender takes it), then sent with no transaction open, then
    /// marked in a second short transaction. A sender that dies between sending and
    /// marking sends that one mail again after the lease: at least once, never lost.
    pub async fn send_due(&self) -> Result<Round, sqlx::Error> {
        self.send_due_while(|| true).await
    }

    /// `send_due`, asking `go_on` before each mail: a stopping server ends the round
    /// between two mails, never between sending one and marking it sent.
    pub async fn send_due_while(&self, go_on: impl Fn() -> bool) -> Result<Round, sqlx::Error> {
        let mut round = Round::default();
        for _ in 0..BATCH {
            if !go_on() {
                break;
            }
            let mut tx = TenantTx::begin(&self.pool, Scope::Job).await?;
            let Some(row) = sqlx::query!(
                "UPDATE outbox SET attempts = attempts + 1,
                        next_attempt_at = now() + make_interval(secs => $1)
                 WHERE id = (SELECT id FROM outbox
                             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                             ORDER BY next_attempt_at, id
                             LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING id, to_address, to_name, subject, body, attempts",
                LEASE.as_secs_f64()
            )
            .fetch_optional(tx.conn())
            .await?
            else {
                break;
            };
            tx.commit().await?;
            let result = match self.message(
                row.id,
                &row.to_address,
                &row.to_name,
                &row.subject,
                &row.body,
            ) {
                Ok(message) => {
                    match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
                        Ok(result) => result,
                        Err(_) => Err(Failure {
                            message: format!("no answer within {} s", SEND_TIMEOUT.as_secs()),
                            permanent: false,
                        }),
                    }
                }
                Err(failure) => Err(failure),
            };
            let mut tx = TenantTx::begin(&self.pool, Scope::Job).await?;
            match result {
                Ok(()) => {
                    sqlx::query!(
                        "UPDATE outbox SET sent_at = now(), last_error = '',
                                body = CASE WHEN kind LIKE 'account_%' THEN '' ELSE body END
                         WHERE id = $1",
                        row.id
                    )
                    .execute(tx.conn())
                    .await?;
                    tx.commit().await?;
                    round.sent += 1;
                }
                Err(failure) => {
                    let give_up = failure.permanent || row.attempts >= MAX_ATTEMPTS;
                    let wait = retry_after(row.attempts).as_secs_f64();
                    sqlx::query!(
                        "UPDATE outbox SET last_error = $2,
                                failed_at = CASE WHEN $3 THEN now() END,
                                next_attempt_at = now() + make_interval(secs => $4)
                         WHERE id = $1",
                        row.id,
                        failure.message.chars().take(500).collect::<String>(),
                        give_up,
                        wait
                    )
                    .execute(tx.conn())
                    .await?;
                    tx.commit().await?;
                    // The server's answer may name the address: it stays on the outbox page.
                    tracing::warn!(mail = %row.id, attempts = row.attempts, give_up, "mail not delivered");
                    if give_up {
                        round.failed += 1;
                    } else {
                        round.retrying += 1;
                    }
                    if !failure.permanent {
                        break;
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
