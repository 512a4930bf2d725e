//! The background worker inside the server: every `KORPS_JOB_INTERVAL` seconds it plans
//! the reminders that are due, sends the outbox and deletes what is left of ended
//! sessions; once a Danish day it runs retention (anonymising and deleting what has outlived
//! its retention period). Several instances may run on one database; the outbox and the
//! reminder keys make sure nothing goes out twice, deleting twice does no harm, and
//! retention takes an advisory lock and remembers the day it ran.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::auth::sessions;
use crate::config::Config;
use crate::mail::Sender;
use crate::{clock, reminders, retention};

/// One round: plan what is due now, send what is queued, purge ended sessions, and run
/// retention if it has not run today.
pub async fn tick(pool: &PgPool, sender: &Sender, config: &Config) {
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
    match sessions::purge(pool, config.idle_timeout).await {
        Ok(purged) if purged != sessions::Purged::default() => {
            tracing::info!(?purged, "ended sessions purged");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "purging ended sessions failed"),
    }
    match retention::run_daily(pool, clock::today()).await {
        Ok(retention::Outcome::Ran(report)) => {
            tracing::info!(done = %report.summary(), "retention run");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "retention failed"),
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
    let config = config.clone();
    match &config.smtp_url {
        Some(_) => tracing::info!("mail goes to the SMTP server in KORPS_SMTP_URL"),
        None => tracing::info!(dir = %config.mail_dir.display(), "mail is written as .eml files"),
    }
    Ok(tokio::spawn(async move {
        loop {
            tick(&pool, &sender, &config).await;
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
