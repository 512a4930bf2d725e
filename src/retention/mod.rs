//! Retention (issue 13, point 1): closed cases are anonymised after the municipality's
//! retention period, citizens referred and never started are deleted after 12 months,
//! audit entries go a year after the data they describe, and accounts deactivated longer
//! than the period are anonymised. The run is `retention_run` in PostgreSQL (migration
//! 0015), done daily by the worker (`run_daily`) and by `korps retention [--dry-run]`
//! (`run`). The coordinator's page shows what falls due within 30 days and keeps the
//! legal holds.

pub mod model;
pub mod repo;
mod views;

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use time::{Date, Duration};
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event, Reads};
use crate::clock;
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, AppResult};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, Route};

pub use model::{Outcome, Report};

/// Why the page reads citizens' names (the audit log's purpose).
pub const PURPOSE_RETENTION: &str = "retention";

/// How far ahead the page looks.
pub const HORIZON_DAYS: i64 = 30;

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/sletning", COORDINATOR, page).menu(165, |t| t.retention.nav),
        Route::post("/sletning/hold", COORDINATOR, place_hold),
        Route::post("/sletning/hold/{id}/forny", COORDINATOR, renew_hold),
        Route::post("/sletning/hold/{id}/ophaev", COORDINATOR, release_hold),
    ]
}

/// Runs retention as of `today`: anonymises and deletes what is due, and records what it
/// did (counts) in each municipality's audit log. A dry run does the same and rolls it
/// back. `Outcome::Locked` when another instance is running it.
pub async fn run(pool: &PgPool, today: Date, dry_run: bool) -> Result<Outcome, sqlx::Error> {
    let mut tx = TenantTx::begin(pool, Scope::Job).await?;
    if !repo::try_lock(&mut tx).await? {
        return Ok(Outcome::Locked);
    }
    let counts = repo::run(&mut tx, today, &model::choice_keys()).await?;
    if !dry_run {
        tx.commit().await?;
    }
    // A dry run's transaction is dropped here: rolled back.
    Ok(Outcome::Ran(Report { counts }))
}

/// The worker's daily run: at most once per Danish day, one instance at a time.
pub async fn run_daily(pool: &PgPool, today: Date) -> Result<Outcome, sqlx::Error> {
    let mut tx = TenantTx::begin(pool, Scope::Job).await?;
    if !repo::try_lock(&mut tx).await? {
        return Ok(Outcome::Locked);
    }
    if repo::ran_on(&mut tx, today).await? {
        return Ok(Outcome::AlreadyRan);
    }
    let counts = repo::run(&mut tx, today, &model::choice_keys()).await?;
    tx.commit().await?;
    Ok(Outcome::Ran(Report { counts }))
}

#[derive(Debug, Default, Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    citizen: String,
    #[serde(default)]
    reason: String,
    /// The form's one-time key: sent twice, one hold.
    #[serde(default)]
    form_key: Option<Uuid>,
}

/// The page with what is typed in the hold form and its messages.
async fn view(
    tx: &mut TenantTx,
    reads: &Reads,
    page: Page,
    entered: HoldForm,
    errors: FieldErrors,
) -> AppResult<views::RetentionView> {
    let today = clock::today();
    let due = repo::due(tx, today, today + Duration::days(HORIZON_DAYS)).await?;
    let holds = repo::holds(tx).await?;
    // Every citizen named on the page is a read of that citizen's data.
    let mut shown: Vec<Uuid> = due.iter().map(|d| d.citizen_id).collect();
    shown.extend(holds.iter().map(|h| h.citizen_id));
    shown.sort();
    shown.dedup();
    reads.citizens(
        tx,
        Event::new("retention_due_read").purpose(PURPOSE_RETENTION),
        shown,
    );
    Ok(views::RetentionView::new(
        page, today, due, holds, entered, errors,
    ))
}

pub async fn page(mut tx: TenantTx, reads: Reads, page: Page) -> AppResult<Response> {
    let view = view(
        &mut tx,
        &reads,
        page,
        HoldForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn place_hold(
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Form(form): Form<HoldForm>,
) -> AppResult<Response> {
    let t = page.t;
    let mut errors = FieldErrors::default();
    let citizen = form.citizen.trim();
    let citizen = if citizen.is_empty() {
        errors.add("citizen", t.retention.choose_citizen);
        None
    } else {
        // An id that is not one of the municipality's citizens: as if there were none.
        let id = citizen.parse::<Uuid>().map_err(|_| AppError::NotFound)?;
        if !repo::citizen_exists(&mut tx, id).await? {
            return Err(AppError::NotFound);
        }
        Some(id)
    };
    let reason = match model::check_reason(&form.reason) {
        Ok(reason) => Some(reason),
        Err(model::ReasonError::Missing) => {
            errors.add("reason", t.retention.reason_required);
            None
        }
        Err(model::ReasonError::TooLong) => {
            errors.add("reason", t.retention.reason_too_long);
            None
        }
    };
    let (Some(citizen), Some(reason)) = (citizen, reason) else {
        let view = view(&mut tx, &reads, page, form, errors).await?;
        tx.commit().await?;
        return Ok(crate::web::forms::invalid(view));
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    forms::complete(&mut tx, key, "/sletning").await?;
    let today = clock::today();
    let id = repo::place(&mut tx, citizen, &reason, today, model::review_by(today)).await?;
    Done::to("/sletning")
        .audit(
            Event::new("retention_hold_placed")
                .subject("citizen", citizen)
                .purpose(PURPOSE_RETENTION)
                .details(json!({ "hold": id })),
        )
        .said(t.retention.hold_placed)
        .finish(tx, reads.addr(), &session)
        .await
}

pub async fn renew_hold(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (_, citizen) = repo::open_hold(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = clock::today();
    if !repo::renew(&mut tx, id, today, model::review_by(today)).await? {
        return Err(AppError::NotFound);
    }
    Done::to("/sletning")
        .audit(
            Event::new("retention_hold_renewed")
                .subject("citizen", citizen)
                .purpose(PURPOSE_RETENTION)
                .details(json!({ "hold": id })),
        )
        .said(page.t.retention.hold_renewed)
        .finish(tx, addr, &session)
        .await
}

pub async fn release_hold(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (_, citizen) = repo::open_hold(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !repo::release(&mut tx, id, clock::today()).await? {
        return Err(AppError::NotFound);
    }
    Done::to("/sletning")
        .audit(
            Event::new("retention_hold_released")
                .subject("citizen", citizen)
                .purpose(PURPOSE_RETENTION)
                .details(json!({ "hold": id })),
        )
        .said(page.t.retention.hold_released)
        .finish(tx, addr, &session)
        .await
}
