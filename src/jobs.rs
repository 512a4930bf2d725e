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
use crate::{clock, metrics, reminders, retention};

/// One round: plan what is due now, send what is queued, purge ended sessions, and run
/// retention if it has not run today. Each step commits its own work; when `stop` turns
/// true the round ends after the step under way (a safe point: nothing half done).
pub async fn tick(pool: &PgPool, sender: &Sender, config: &Config, stop: &watch::Receiver<bool>) {
    let stopping = || *stop.borrow();
    let planned = reminders::plan(pool, OffsetDateTime::now_utc()).await;
    metrics::record_job("reminders", planned.is_ok());
    match planned {
        Ok(planned) if planned != reminders::Planned::default() => {
            tracing::info!(?planned, "reminders planned");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "planning reminders failed"),
    }
    if stopping() {
        return;
    }
    let sent = sender.send_due_while(|| !stopping()).await;
    metrics::record_job("outbox", sent.is_ok());
    match sent {
        Ok(round) if round.sent + round.retrying + round.failed > 0 => {
            tracing::info!(?round, "outbox sent");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "sending the outbox failed"),
    }
    if stopping() {
        return;
    }
    let purged = sessions::purge(pool, config.idle_timeout).await;
    metrics::record_job("sessions", purged.is_ok());
    match purged {
        Ok(purged) if purged != sessions::Purged::default() => {
            tracing::info!(?purged, "ended sessions purged");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "purging ended sessions failed"),
    }
    if stopping() {
        return;
    }
    let retained = retention::run_daily(pool, clock::today()).await;
    metrics::record_job("retention", retained.is_ok());
    match retained {
        Ok(retention::Outcome::Ran(report)) => {
            tracing::info!(done = %report.summary(), "retention run");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "retention failed"),
    }
}

/// Runs rounds until `stop` turns true (told at SIGTERM, while requests drain). A configuration the sender cannot use is an error
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
            if *stop.borrow() {
                break;
            }
            tick(&pool, &sender, &config, &stop).await;
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
        }
    }))
}
