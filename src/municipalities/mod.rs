//! Municipalities (the tenants), managed by national staff, and their coordinators: national
//! staff invite them (a link by mail — never a password national staff could use), send a
//! new link, and reset a coordinator's second factor.

pub mod model;
pub mod repo;

use crate::vocab::REGIONS;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event};
use crate::auth::second_factor;
use crate::db::{self, TenantTx};
use crate::error::{AppError, AppResult};
use crate::i18n::fill;
use crate::staff::{self, StaffForm};
use crate::vocab::Role;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{NATIONAL, Route};
use crate::web::table::{self, List, ListSpec, Sort};
use model::MunicipalityForm;

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/kommuner", NATIONAL, list_page).menu(140, |t| t.common.nav_municipalities),
        Route::get("/kommuner/ny", NATIONAL, new_page),
        Route::post("/kommuner", NATIONAL, create),
        Route::get("/kommuner/{id}", NATIONAL, show_page),
        Route::post("/kommuner/{id}/koordinatorer", NATIONAL, create_coordinator),
        Route::post(
            "/kommuner/{id}/koordinatorer/{user}/nyt-link",
            NATIONAL,
            send_coordinator_link,
        ),
        Route::post(
            "/kommuner/{id}/koordinatorer/{user}/nulstil-totrin",
            NATIONAL,
            reset_coordinator_second_factor,
        ),
    ]
}

static LIST: ListSpec = ListSpec {
    path: "/kommuner",
    search: true,
    sorts: &["name", "code", "region"],
    default_sort: Sort::asc("name"),
    ..ListSpec::PLAIN
};

#[derive(Template, WebTemplate)]
#[template(path = "municipalities/list.html")]
struct ListView {
    page: Page,
    list: List<repo::Row>,
}

pub async fn list_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let query = LIST.read(query.as_deref());
    let list = table::load!(query, |limit, offset| repo::list(
        &mut tx,
        query.q(),
        query.sort,
        limit,
        offset
    ));
    tx.commit().await?;
    Ok(ListView {
        page: page
            .titled(t.municipalities.municipalities_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.municipalities.municipalities_title, "/kommuner"),
        list: list.columns(
            t,
            &[
                (t.common.name, Some("name")),
                (t.municipalities.municipality_code, Some("code")),
                (t.common.region, Some("region")),
                (t.municipalities.coordinators, None),
                (t.municipalities.staff_count, None),
            ],
        ),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "municipalities/new.html")]
struct NewView {
    page: Page,
    form: MunicipalityForm,
    errors: FieldErrors,
    form_key: String,
    regions: Vec<(&'static str, &'static str)>,
}

fn new_view(page: Page, form: MunicipalityForm, errors: FieldErrors) -> NewView {
    let t = page.t;
    NewView {
        form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
        regions: REGIONS
            .iter()
            .map(|code| (*code, t.region_label(code)))
            .collect(),
        page: page
            .titled(t.municipalities.new_municipality)
            .crumb(t.common.nav_start, "/")
            .crumb(t.municipalities.municipalities_title, "/kommuner")
            .crumb(t.municipalities.new_municipality, "/kommuner/ny"),
        form,
        errors,
    }
}

pub async fn new_page(page: Page) -> Response {
    new_view(page, MunicipalityForm::default(), FieldErrors::default()).into_response()
}

pub async fn create(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<MunicipalityForm>,
) -> AppResult<Response> {
    let t = page.t;
    let valid = match form.validate(t) {
        Ok(valid) => valid,
        Err(errors) => return Ok(forms::invalid(new_view(page, form, errors))),
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = match repo::insert(&mut tx, &valid.name, valid.code, valid.region).await {
        Ok(id) => id,
        Err(err) => {
            let mut errors = FieldErrors::default();
            if db::is_unique_violation(&err, "municipalities_code_key") {
                errors.add("code", t.municipalities.municipality_code_taken);
            } else if db::is_unique_violation(&err, "municipalities_name_key") {
                errors.add("name", t.municipalities.municipality_name_taken);
            } else {
                return Err(err.into());
            }
            return Ok(forms::invalid(new_view(page, form, errors)));
        }
    };
    let location = format!("/kommuner/{id}");
    forms::complete(&mut tx, key, &location).await?;
    // National staff's doing, in the new municipality's log.
    Done::to(location)
        .audit_in(
            Some(id),
            Event::new("municipality_created").subject("municipality", id),
        )
        .said(t.municipalities.municipality_created)
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "municipalities/show.html")]
struct ShowView {
    page: Page,
    municipality: repo::Municipality,
    coordinators: Vec<repo::Coordinator>,
    form: StaffForm,
    errors: FieldErrors,
    form_key: String,
}

async fn show_view(
    tx: &mut TenantTx,
    page: Page,
    id: Uuid,
    form: StaffForm,
    errors: FieldErrors,
) -> AppResult<ShowView> {
    let municipality = repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let coordinators = repo::coordinators(tx, id).await?;
    let t = page.t;
    Ok(ShowView {
        form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
        page: page
            .titled(municipality.name.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(t.municipalities.municipalities_title, "/kommuner")
            .crumb(municipality.name.clone(), format!("/kommuner/{id}")),
        municipality,
        coordinators,
        form,
        errors,
    })
}

pub async fn show_page(mut tx: TenantTx, page: Page, Path(id): Path<Uuid>) -> AppResult<Response> {
    let view = show_view(
        &mut tx,
        page,
        id,
        StaffForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn create_coordinator(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StaffForm>,
) -> AppResult<Response> {
    let t = page.t;
    repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let form = StaffForm {
        roles: vec![Role::Coordinator.code().to_string()],
        ..form
    };
    let result =
        staff::create_account(&mut tx, addr, Some(id), &form, &[Role::Coordinator], t).await?;
    match result {
        staff::Created::Invalid(errors) => {
            let view = show_view(&mut tx, page, id, form, errors).await?;
            Ok(forms::invalid(view))
        }
        staff::Created::Repeated(location) => Ok(Redirect::to(&location).into_response()),
        staff::Created::New { .. } => {
            let location = format!("/kommuner/{id}");
            forms::complete(&mut tx, form.form_key.unwrap_or_default(), &location).await?;
            Done::to(location)
                .said(fill(
                    t.municipalities.coordinator_created,
                    &[form.email.trim()],
                ))
                .finish(tx, addr, &session)
                .await
        }
    }
}

/// A coordinator of the municipality `id`, or 404: national staff act on coordinators only.
async fn coordinator(tx: &mut TenantTx, id: Uuid, user: Uuid) -> AppResult<staff::repo::Staff> {
    repo::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let found = staff::repo::get_in(tx, id, user).await?;
    found
        .filter(|staff| staff.roles.contains(&Role::Coordinator))
        .ok_or(AppError::NotFound)
}

/// Takes a coordinator's password away and mails them a link to choose a new one.
pub async fn send_coordinator_link(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path((id, user)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let coordinator = coordinator(&mut tx, id, user).await?;
    staff::send_new_password_link(&mut tx, &coordinator).await?;
    Done::to(format!("/kommuner/{id}"))
        .audit_in(Some(id), Event::new("password_reset").subject("user", user))
        .said(fill(page.t.staff.password_was_reset, &[&coordinator.email]))
        .finish(tx, addr, &session)
        .await
}

/// Removes a coordinator's second factor: they enrol anew at their next login.
pub async fn reset_coordinator_second_factor(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path((id, user)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    coordinator(&mut tx, id, user).await?;
    second_factor::reset(&mut tx, user).await?;
    Done::to(format!("/kommuner/{id}"))
        .audit_in(
            Some(id),
            Event::new("second_factor_reset").subject("user", user),
        )
        .said(page.t.staff.second_factor_was_reset)
        .finish(tx, addr, &session)
        .await
}
