//! Training and the corps (PRODUCT.md "Training and the corps"; the 2015 guide §6): national
//! staff plan cohorts ("hold") with modules per programme; municipalities with an approved
//! application in the cohort's training round nominate participants within their seats;
//! national staff record attendance, and attending every module of a programme makes the
//! member trained and part of the corps until the obligation end date. Network meetings and
//! advanced modules are corps-wide events with attendance. The national roster lists every
//! member of the corps (staff data only).

mod cohorts;
mod events;
mod history;
pub mod model;
mod nominations;
pub mod repo;
mod roster;
mod start;

pub use cohorts::{
    attendance_page, cohort_page, create_cohort, create_module, edit_cohort_page, new_cohort_page,
    new_module_page, record_attendance, update_cohort,
};
pub use events::{create_event, event_page, new_event_page, record_event_attendance};
pub use history::{TrainingHistory, history};
pub use nominations::{nominate, withdraw};
pub use roster::{roster_csv, roster_page};
pub use start::{StartSection, start_section};

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::auth::CurrentUser;

use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::Role;
use crate::web::Page;
use crate::web::routes::{COORDINATOR, NATIONAL, NATIONAL_OR_COORDINATOR, Route};
use model::{Phase, Programme, format_span};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/uddannelse", NATIONAL_OR_COORDINATOR, index_page)
            .menu(110, |t| t.training.nav_training),
        Route::get("/uddannelse/hold/ny", NATIONAL, new_cohort_page),
        Route::post("/uddannelse/hold", NATIONAL, create_cohort),
        Route::get(
            "/uddannelse/hold/{id}",
            NATIONAL_OR_COORDINATOR,
            cohort_page,
        ),
        Route::get("/uddannelse/hold/{id}/rediger", NATIONAL, edit_cohort_page),
        Route::post("/uddannelse/hold/{id}/rediger", NATIONAL, update_cohort),
        Route::get(
            "/uddannelse/hold/{id}/moduler/ny",
            NATIONAL,
            new_module_page,
        ),
        Route::post("/uddannelse/hold/{id}/moduler", NATIONAL, create_module),
        Route::get(
            "/uddannelse/hold/{id}/moduler/{module_id}",
            NATIONAL,
            attendance_page,
        ),
        Route::post(
            "/uddannelse/hold/{id}/moduler/{module_id}",
            NATIONAL,
            record_attendance,
        ),
        Route::post("/uddannelse/hold/{id}/indstillinger", COORDINATOR, nominate),
        Route::post(
            "/uddannelse/indstillinger/{id}/tilbagetraek",
            COORDINATOR,
            withdraw,
        ),
        Route::get("/uddannelse/arrangementer/ny", NATIONAL, new_event_page),
        Route::post("/uddannelse/arrangementer", NATIONAL, create_event),
        Route::get("/uddannelse/arrangementer/{id}", NATIONAL, event_page),
        Route::post(
            "/uddannelse/arrangementer/{id}",
            NATIONAL,
            record_event_attendance,
        ),
        Route::get("/korpsoversigt", NATIONAL, roster_page).menu(120, |t| t.training.nav_roster),
        Route::get("/korpsoversigt.csv", NATIONAL, roster_csv),
    ]
}

/// "Mentoruddannelse, Forældrecoachuddannelse" for a list of programmes, in `ALL` order.
pub fn programmes_label(programmes: &[Programme], t: &'static Messages) -> String {
    Programme::ALL
        .iter()
        .filter(|p| programmes.contains(p))
        .map(|p| p.label(&t.apps))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The seats a municipality has left in a cohort, per programme: the smaller of what its
/// approved application has left in the round and what the cohort has left.
pub struct SeatsLeft {
    pub per_programme: [i64; 3],
}

impl SeatsLeft {
    pub fn total(&self) -> i64 {
        self.per_programme.iter().sum()
    }

    pub fn of(&self, programme: Programme) -> i64 {
        self.per_programme[programme_index(programme)]
    }
}

pub fn programme_index(programme: Programme) -> usize {
    match programme {
        Programme::Mentor => 0,
        Programme::ParentCoach => 1,
        Programme::Coordinator => 2,
    }
}

/// The transaction's municipality's seats in the cohort, or `None` without an approved
/// application in its round.
pub async fn seats_left(tx: &mut TenantTx, cohort: &repo::Cohort) -> AppResult<Option<SeatsLeft>> {
    let Some(round_id) = cohort.round_id else {
        return Ok(None);
    };
    let Some(pool) = repo::seat_pool(tx, round_id).await? else {
        return Ok(None);
    };
    let taken = repo::cohort_taken(tx, cohort.id).await?;
    let seats = cohort.seats();
    let mut per_programme = [0; 3];
    for i in 0..3 {
        per_programme[i] = model::seats_left(pool.granted[i], pool.used[i])
            .min(model::seats_left(seats[i].into(), taken[i]));
    }
    Ok(Some(SeatsLeft { per_programme }))
}

pub struct CohortListRow {
    pub id: Uuid,
    pub name: String,
    pub round: String,
    pub phase: &'static str,
    pub badge: &'static str,
    pub dates: String,
    pub corps_until: String,
    pub nominated: i64,
    pub seats: i64,
    /// Coordinators: seats their municipality has left ("" without an approved application).
    pub seats_left: String,
}

pub struct EventListRow {
    pub id: Uuid,
    pub title: String,
    pub kind: &'static str,
    pub dates: String,
    pub place: String,
    pub programmes: String,
    pub attended: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/index.html")]
struct IndexView {
    page: Page,
    national: bool,
    cohorts: Vec<CohortListRow>,
    events: Vec<EventListRow>,
}

pub async fn index_page(user: CurrentUser, mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let t = page.t;
    let tm = &t.training;
    let national = user.has(Role::National);
    let today = clock::today();
    let mut cohorts = Vec::new();
    for row in repo::list_cohorts(&mut tx).await? {
        let modules = repo::modules(&mut tx, row.id).await?;
        let dates: Vec<_> = modules.iter().map(repo::Module::dates).collect();
        let phase = Phase::of(&dates, today);
        let seats_left = if national {
            String::new()
        } else {
            let cohort = repo::get_cohort(&mut tx, row.id)
                .await?
                .ok_or(AppError::NotFound)?;
            match seats_left(&mut tx, &cohort).await? {
                Some(left) if phase != Phase::Completed => left.total().to_string(),
                Some(_) => "0".to_string(),
                None => String::new(),
            }
        };
        cohorts.push(CohortListRow {
            id: row.id,
            name: row.name,
            round: row.round_title.unwrap_or_default(),
            phase: phase.label(tm),
            badge: phase.badge(),
            dates: match (row.first_day, row.last_day) {
                (Some(first), last) => format_span(first, last),
                _ => tm.no_modules_yet.to_string(),
            },
            corps_until: clock::format_date(row.corps_until),
            nominated: row.nominated,
            seats: row.seats,
            seats_left,
        });
    }
    let events = repo::list_events(&mut tx)
        .await?
        .into_iter()
        .filter(|e| national || e.ends_on.unwrap_or(e.starts_on) >= today)
        .map(|e| EventListRow {
            id: e.id,
            kind: e.kind.label(tm),
            dates: format_span(e.starts_on, e.ends_on),
            place: e.place,
            programmes: programmes_label(&e.programmes, t),
            attended: e.attended,
            title: e.title,
        })
        .collect();
    tx.commit().await?;
    Ok(IndexView {
        page: page
            .titled(tm.title)
            .crumb(t.common.nav_start, "/")
            .crumb(tm.title, "/uddannelse"),
        national,
        cohorts,
        events,
    }
    .into_response())
}
