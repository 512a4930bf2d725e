//! The background worker inside the server: every `KORPS_JOB_INTERVAL` seconds it plans
//! the reminders that are due and sends the outbox. Several instances may run on one
//! database; the outbox and the reminder keys make sure nothing goes out twice.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::config::Config;
use crate::mail::Sender;
use crate::reminders;

/// One round: plan what is due now, then send what is queued.
pub async fn tick(pool: &PgPool, sender: &Sender) {
    match reminders::plan(pool, OffsetDateTime::now_utc()).await {
        Ok(planned) if planned != reminders::Planned::default() => {
            tracing::info!(?planned, "reminders planned");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "planning reminders failed"),
    }
    match sender.send_due().await {
        Ok(round) if round.sent + round.retrying + round.failed > 0 => {
            tracing::info!(?round, "outbox sent");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "sending the outbox failed"),
    }
}

/// Runs rounds until `stop` turns true. A configuration the sender cannot use is an error
/// at start, not a silent worker.
pub fn start(
    pool: PgPool,
    config: &Config,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let sender = Sender::new(pool.clone(), config)?;
    let interval = Duration::from_secs(config.job_interval.max(1));
    match &config.smtp_url {
        Some(_) => tracing::info!("mail goes to the SMTP server in KORPS_SMTP_URL"),
        None => tracing::info!(dir = %config.mail_dir.display(), "mail is written as .eml files"),
    }
    Ok(tokio::spawn(async move {
        loop {
            tick(&pool, &sender).await;
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    }))
}
