//! A member's training history, shown on the member's page (`/korps/{id}`, the
//! coordinator) and on `/min-profil` (the member): the cohorts with programme, modules
//! attended and completion, the obligation end date, and the corps events attended.

use uuid::Uuid;

use super::model::format_span;
use super::repo;
use crate::clock;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::{Messages, fill};
use crate::vocab::TrainingStatus;

pub struct HistoryCohort {
    pub cohort: String,
    pub programme: &'static str,
    pub modules: String,
    pub progress: String,
    pub trained_on: String,
    pub corps_until: String,
}

pub struct HistoryEvent {
    pub kind: &'static str,
    pub title: String,
    pub when: String,
}

#[derive(Default)]
pub struct TrainingHistory {
    pub trained: bool,
    pub status: &'static str,
    pub programme: &'static str,
    pub cohort: String,
    pub trained_on: String,
    pub corps_until: String,
    pub cohorts: Vec<HistoryCohort>,
    pub events: Vec<HistoryEvent>,
}

pub async fn history(
    tx: &mut TenantTx,
    member_id: Uuid,
    t: &'static Messages,
) -> AppResult<TrainingHistory> {
    let tm = &t.training;
    let Some(member) = repo::member_training(tx, member_id).await? else {
        return Ok(TrainingHistory::default());
    };
    let cohorts = repo::member_cohorts(tx, member_id)
        .await?
        .into_iter()
        .map(|c| HistoryCohort {
            programme: c.programme.label(&t.apps),
            progress: fill(
                tm.modules_attended_of,
                &[&c.modules.len().to_string(), &c.required.to_string()],
            ),
            modules: c.modules.join(", "),
            trained_on: c.completed_on.map(clock::format_date).unwrap_or_default(),
            corps_until: clock::format_date(c.corps_until),
            cohort: c.cohort_name,
        })
        .collect();
    let events = repo::member_events(tx, member_id)
        .await?
        .into_iter()
        .map(|e| HistoryEvent {
            kind: e.kind.label(tm),
            when: format_span(e.starts_on, e.ends_on),
            title: e.title,
        })
        .collect();
    Ok(TrainingHistory {
        trained: member.training_status == TrainingStatus::Trained,
        status: member.training_status.label(t),
        programme: member.trained_programme.map_or("", |p| p.label(&t.apps)),
        cohort: member.cohort_name.unwrap_or_default(),
        trained_on: member
            .trained_on
            .map(clock::format_date)
            .unwrap_or_default(),
        corps_until: member
            .corps_until
            .map(clock::format_date)
            .unwrap_or_default(),
        cohorts,
        events,
    })
}
