//! Staff accounts of a municipality: coordinators create, edit and deactivate mentor and
//! parent-coach accounts, send them a link to choose a new password, and reset their
//! second factor. Nobody is shown anyone's password: a new account gets a link by mail.
//! Coordinators' own accounts are managed by national staff.

mod model;
pub mod repo;

pub use model::StaffForm;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{self, Done, Event};
use crate::auth::links::{self, Addressee, Purpose};
use crate::auth::second_factor;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Messages, fill};
use crate::vocab::{Role, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{self, List, ListSpec, Sort};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/medarbejdere", COORDINATOR, list_page).menu(150, |t| t.common.nav_staff),
        Route::get("/medarbejdere/ny", COORDINATOR, new_page),
        Route::post("/medarbejdere/totrinskrav", COORDINATOR, set_requirement),
        Route::post("/medarbejdere", COORDINATOR, create),
        Route::get("/medarbejdere/{id}", COORDINATOR, edit_page),
        Route::post("/medarbejdere/{id}", COORDINATOR, update),
        Route::get("/medarbejdere/{id}/deaktiver", COORDINATOR, deactivate_page),
        Route::post("/medarbejdere/{id}/deaktiver", COORDINATOR, deactivate),
        Route::post("/medarbejdere/{id}/aktiver", COORDINATOR, reactivate),
        Route::get(
            "/medarbejdere/{id}/nulstil-adgangskode",
            COORDINATOR,
            reset_password_page,
        ),
        Route::post(
            "/medarbejdere/{id}/nulstil-adgangskode",
            COORDINATOR,
            reset_password,
        ),
        Route::get(
            "/medarbejdere/{id}/nulstil-totrin",
            COORDINATOR,
            reset_second_factor_page,
        ),
        Route::post(
            "/medarbejdere/{id}/nulstil-totrin",
            COORDINATOR,
            reset_second_factor,
        ),
    ]
}

/// The roles a coordinator gives a new account: a fellow coordinator, a mentor, a parent
/// coach.
const NEW_ACCOUNT_ROLES: [Role; 3] = [Role::Coordinator, Role::Mentor, Role::ParentCoach];

pub enum Created {
    Invalid(FieldErrors),
    /// The same form was submitted before: go where it went.
    Repeated(String),
    New {
        user_id: Uuid,
    },
}

/// Creates a staff account without a password, in `municipality_id` (or the transaction's
/// own municipality), granting only roles from `allowed`, and mails its owner a link to
/// choose one. The caller completes the form key with the location it redirects to, and
/// commits (the mail leaves only then).
pub async fn create_account(
    tx: &mut TenantTx,
    addr: ClientAddr,
    municipality_id: Option<Uuid>,
    form: &StaffForm,
    allowed: &[Role],
    t: &'static Messages,
) -> AppResult<Created> {
    let valid = match form.validate(allowed, t) {
        Ok(valid) => valid,
        Err(errors) => return Ok(Created::Invalid(errors)),
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(tx, key).await? {
        return Ok(Created::Repeated(location));
    }
    if repo::email_in_use(tx, &valid.email, None).await? {
        let mut errors = FieldErrors::default();
        errors.add("email", t.staff.email_taken);
        return Ok(Created::Invalid(errors));
    }
    let municipality_id = municipality_id
        .or(tx.scope().municipality_id())
        .ok_or(AppError::NotFound)?;
    let user_id =
        repo::insert(tx, municipality_id, &valid.name, &valid.email, &valid.roles).await?;
    if valid
        .roles
        .iter()
        .any(|role| Role::MEMBER_ROLES.contains(role))
    {
        crate::corps::repo::ensure_profile(tx, municipality_id, user_id).await?;
    }
    let roles: Vec<&str> = valid.roles.iter().map(|role| role.code()).collect();
    let actor = tx.scope().user_id();
    audit::record_for(
        tx,
        Some(municipality_id),
        actor,
        addr,
        Event::new("user_created")
            .subject("user", user_id)
            .details(json!({ "roles": roles })),
    )
    .await?;
    links::send(
        tx,
        &Addressee {
            user_id,
            name: &valid.name,
            email: &valid.email,
            locale: Locale::default(),
        },
        Purpose::Setup,
    )
    .await?;
    Ok(Created::New { user_id })
}

static LIST: ListSpec = ListSpec {
    path: "/medarbejdere",
    search: true,
    filters: &["role", "status"],
    sorts: &["name", "email", "status"],
    default_sort: Sort::asc("name"),
    ..ListSpec::PLAIN
};

pub struct ListRow {
    id: Uuid,
    name: String,
    email: String,
    roles: String,
    active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/list.html")]
struct ListView {
    page: Page,
    role_options: Vec<(&'static str, &'static str)>,
    list: List<ListRow>,
    /// The municipality requires a second factor of its mentors and parent coaches.
    requires_second_factor: bool,
    /// The version of the municipality's settings the form was shown with.
    settings_version: i32,
    /// The setting was saved by someone else meanwhile (409).
    stale: Option<Vec<forms::Difference>>,
}

pub async fn list_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let view = list_view(&mut tx, page, query.as_deref()).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

async fn list_view(tx: &mut TenantTx, page: Page, query: Option<&str>) -> AppResult<ListView> {
    let t = page.t;
    let mut query = LIST.read(query);
    query
        .keep("role", |role| Role::from_code(role).is_some())
        .keep_one_of("status", &["active", "inactive"]);
    let filter = repo::ListFilter {
        q: query.q(),
        role: query.filter("role"),
        status: query.filter("status"),
    };
    let list = table::load!(query, |limit, offset| repo::list(
        tx, &filter, query.sort, limit, offset
    ));
    let requirement = repo::requires_second_factor(tx).await?;
    Ok(ListView {
        requires_second_factor: requirement.required,
        settings_version: requirement.version,
        stale: None,
        role_options: [Role::Coordinator, Role::Mentor, Role::ParentCoach]
            .iter()
            .map(|r| (r.code(), r.label(t)))
            .collect(),
        list: list
            .columns(
                t,
                &[
                    (t.common.name, Some("name")),
                    (t.common.email, Some("email")),
                    (t.common.roles, None),
                    (t.common.status, Some("status")),
                ],
            )
            .map(|row| ListRow {
                id: row.id,
                roles: roles_label(&row.roles, t),
                name: row.name,
                email: row.email,
                active: row.active,
            }),
        page: page
            .titled(t.staff.staff_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.staff.staff_title, "/medarbejdere"),
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    require: Option<String>,
    #[serde(default)]
    version: i32,
}

/// Requires (or stops requiring) a second factor of the municipality's mentors and parent
/// coaches. Those without one enrol at their next login.
pub async fn set_requirement(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<RequirementForm>,
) -> AppResult<Response> {
    let t = page.t;
    let require = form.require.is_some();
    if !repo::set_requires_second_factor(&mut tx, require, form.version).await? {
        // Another coordinator saved the setting in between: both choices side by side,
        // this one's kept in the form, which now carries the saved version.
        let mut view = list_view(&mut tx, page, None).await?;
        let yes_no = |on: bool| if on { t.common.yes } else { t.common.no }.to_string();
        view.stale = Some(forms::differences(
            vec![(t.staff.requirement_label, yes_no(require))],
            vec![(
                t.staff.requirement_label,
                yes_no(view.requires_second_factor),
            )],
        ));
        view.requires_second_factor = require;
        return Ok(forms::stale(view));
    }
    Done::to("/medarbejdere")
        .audit(
            Event::new("second_factor_requirement_changed").details(json!({ "required": require })),
        )
        .said(if require {
            t.staff.requirement_on
        } else {
            t.staff.requirement_off
        })
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/form.html")]
struct FormView {
    page: Page,
    action: String,
    submit_label: &'static str,
    form: StaffForm,
    form_roles_label: String,
    role_choices: Vec<(&'static str, &'static str, bool)>,
    errors: FieldErrors,
    form_key: String,
    version: i32,
    user_id: Option<Uuid>,
    active: bool,
    managed_elsewhere: bool,
    /// Whether the account has a second factor (shown on an existing account).
    second_factor: Option<bool>,
    /// Saved by someone else meanwhile: the fields that differ (409).
    stale: Option<Vec<forms::Difference>>,
}

impl FormView {
    fn new(
        page: Page,
        form: StaffForm,
        errors: FieldErrors,
        existing: Option<&repo::Staff>,
    ) -> FormView {
        let t = page.t;
        // A new account may be a fellow coordinator; existing coordinators are managed by
        // national staff, so an edit offers the member roles only.
        let offered: &[Role] = if existing.is_none() {
            &NEW_ACCOUNT_ROLES
        } else {
            &Role::MEMBER_ROLES
        };
        let role_choices = offered
            .iter()
            .map(|role| {
                (
                    role.code(),
                    role.label(t),
                    form.roles.iter().any(|code| code == role.code()),
                )
            })
            .collect();
        let form_roles: Vec<Role> = form
            .roles
            .iter()
            .filter_map(|code| Role::from_code(code))
            .collect();
        let (title, action, href) = match existing {
            Some(staff) => (
                staff.name.clone(),
                format!("/medarbejdere/{}", staff.id),
                format!("/medarbejdere/{}", staff.id),
            ),
            None => (
                t.staff.new_staff.to_string(),
                "/medarbejdere".to_string(),
                "/medarbejdere/ny".to_string(),
            ),
        };
        FormView {
            action,
            submit_label: if existing.is_some() {
                t.common.save
            } else {
                t.staff.create_staff
            },
            form_roles_label: roles_label(&form_roles, t),
            role_choices,
            errors,
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            // The version the user started from, so a re-rendered form still detects
            // a save by someone else in between.
            version: form
                .version
                .or(existing.map(|staff| staff.version))
                .unwrap_or_default(),
            user_id: existing.map(|staff| staff.id),
            active: existing.is_none_or(|staff| staff.active),
            managed_elsewhere: existing
                .is_some_and(|staff| staff.roles.contains(&Role::Coordinator)),
            second_factor: None,
            stale: None,
            form,
            page: page
                .titled(title.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(t.staff.staff_title, "/medarbejdere")
                .crumb(title, href),
        }
    }
}

fn form_of(staff: &repo::Staff) -> StaffForm {
    StaffForm {
        name: staff.name.clone(),
        email: staff.email.clone(),
        roles: staff
            .roles
            .iter()
            .map(|role| role.code().to_string())
            .collect(),
        version: Some(staff.version),
        form_key: None,
    }
}

pub async fn new_page(page: Page) -> Response {
    FormView::new(page, StaffForm::default(), FieldErrors::default(), None).into_response()
}

pub async fn create(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<StaffForm>,
) -> AppResult<Response> {
    let t = page.t;
    match create_account(&mut tx, addr, None, &form, &NEW_ACCOUNT_ROLES, t).await? {
        Created::Invalid(errors) => Ok(forms::invalid(FormView::new(page, form, errors, None))),
        Created::Repeated(location) => Ok(Redirect::to(&location).into_response()),
        Created::New { user_id } => {
            let location = format!("/medarbejdere/{user_id}");
            forms::complete(&mut tx, form.form_key.unwrap_or_default(), &location).await?;
            Done::to(location)
                .said(fill(t.staff.staff_created, &[form.email.trim()]))
                .finish(tx, addr, &session)
                .await
        }
    }
}

async fn existing(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Staff> {
    repo::get(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn edit_page(mut tx: TenantTx, page: Page, Path(id): Path<Uuid>) -> AppResult<Response> {
    let staff = existing(&mut tx, id).await?;
    let mut view = FormView::new(page, form_of(&staff), FieldErrors::default(), Some(&staff));
    view.second_factor = Some(second_factor::enrolled(&mut tx, id).await?);
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn update(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<StaffForm>,
) -> AppResult<Response> {
    let t = page.t;
    let current = manageable(&mut tx, id).await?;
    let invalid = |page: Page, form: StaffForm, errors: FieldErrors| {
        forms::invalid(FormView::new(page, form, errors, Some(&current)))
    };
    let valid = match form.validate(&Role::MEMBER_ROLES, t) {
        Ok(valid) => valid,
        Err(errors) => return Ok(invalid(page, form, errors)),
    };
    if repo::email_in_use(&mut tx, &valid.email, Some(id)).await? {
        let mut errors = FieldErrors::default();
        errors.add("email", t.staff.email_taken);
        return Ok(invalid(page, form, errors));
    }
    let changed = repo::Staff {
        name: valid.name,
        email: valid.email,
        roles: valid.roles,
        ..current.clone()
    };
    if !repo::update(&mut tx, &changed, form.version.unwrap_or_default()).await? {
        // Someone saved in between: show both versions and keep what this user typed; a
        // second save (now carrying the current version) applies it. Read again: the
        // version saved in between may be newer than the one read above.
        let current = manageable(&mut tx, id).await?;
        let mut view = FormView::new(
            page,
            StaffForm {
                version: Some(current.version),
                ..form
            },
            FieldErrors::default(),
            Some(&current),
        );
        view.stale = Some(forms::differences(
            vec![
                (t.common.name, view.form.name.clone()),
                (t.common.email, view.form.email.clone()),
                (t.common.roles, view.form_roles_label.clone()),
            ],
            vec![
                (t.common.name, current.name.clone()),
                (t.common.email, current.email.clone()),
                (t.common.roles, roles_label(&current.roles, t)),
            ],
        ));
        return Ok(forms::stale(view));
    }
    if let Some(municipality_id) = tx.scope().municipality_id() {
        crate::corps::repo::ensure_profile(&mut tx, municipality_id, id).await?;
    }
    if changed.email.to_lowercase() != current.email.to_lowercase() {
        // Links sent to the old address stop working, the person's sessions end, and the
        // old address hears of it.
        links::revoke(&mut tx, id).await?;
        crate::auth::repo::end_sessions(&mut tx, id).await?;
        let locale = crate::auth::repo::addressee(&mut tx, id)
            .await?
            .map(|to| to.locale)
            .unwrap_or_default();
        links::tell_old_address(
            &mut tx,
            &Addressee {
                user_id: id,
                name: &current.name,
                email: &current.email,
                locale,
            },
        )
        .await?;
    }
    let fields: Vec<&str> = [
        ("name", changed.name != current.name),
        ("email", changed.email != current.email),
        ("roles", changed.roles != current.roles),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect();
    Done::to(format!("/medarbejdere/{id}"))
        .audit(
            Event::new("user_updated")
                .subject("user", id)
                .details(json!({ "fields": fields })),
        )
        .said(t.staff.staff_updated)
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/confirm.html")]
struct ConfirmView {
    page: Page,
    user_id: Uuid,
    name: String,
    email: String,
    warning: &'static str,
    action: String,
    confirm_label: &'static str,
    button_class: &'static str,
}

/// The staff member a coordinator may act on: of their municipality alone (an account
/// that also works elsewhere is not theirs to reset), and not a coordinator.
async fn manageable(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Staff> {
    let staff = existing(tx, id).await?;
    if staff.roles.contains(&Role::Coordinator) || repo::has_other_memberships(tx, id).await? {
        return Err(AppError::Forbidden);
    }
    Ok(staff)
}

/// What a confirmation page asks to confirm.
#[derive(Clone, Copy)]
enum Confirming {
    Deactivate,
    ResetPassword,
    ResetSecondFactor,
}

fn confirm_view(page: Page, staff: repo::Staff, confirming: Confirming) -> ConfirmView {
    let t = page.t;
    let (title, warning, action, label, class) = match confirming {
        Confirming::Deactivate => (
            t.staff.deactivate_title,
            t.staff.deactivate_warning,
            format!("/medarbejdere/{}/deaktiver", staff.id),
            t.staff.deactivate,
            "button-warning",
        ),
        Confirming::ResetPassword => (
            t.staff.reset_password_title,
            t.staff.reset_password_warning,
            format!("/medarbejdere/{}/nulstil-adgangskode", staff.id),
            t.staff.reset_password,
            "button-primary",
        ),
        Confirming::ResetSecondFactor => (
            t.staff.reset_second_factor_title,
            t.staff.reset_second_factor_warning,
            format!("/medarbejdere/{}/nulstil-totrin", staff.id),
            t.staff.reset_second_factor,
            "button-warning",
        ),
    };
    ConfirmView {
        page: page
            .titled(title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.staff.staff_title, "/medarbejdere")
            .crumb(staff.name.clone(), format!("/medarbejdere/{}", staff.id))
            .crumb(title, action.clone()),
        user_id: staff.id,
        name: staff.name,
        email: staff.email,
        warning,
        action,
        confirm_label: label,
        button_class: class,
    }
}

pub async fn deactivate_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let staff = manageable(&mut tx, id).await?;
    tx.commit().await?;
    Ok(confirm_view(page, staff, Confirming::Deactivate).into_response())
}

pub async fn reset_password_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let staff = manageable(&mut tx, id).await?;
    tx.commit().await?;
    Ok(confirm_view(page, staff, Confirming::ResetPassword).into_response())
}

pub async fn reset_second_factor_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let staff = manageable(&mut tx, id).await?;
    tx.commit().await?;
    Ok(confirm_view(page, staff, Confirming::ResetSecondFactor).into_response())
}

pub async fn deactivate(
    tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    set_active(tx, addr, &session, page.t, id, false).await
}

pub async fn reactivate(
    tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    set_active(tx, addr, &session, page.t, id, true).await
}

async fn set_active(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: &Session,
    t: &'static Messages,
    id: Uuid,
    active: bool,
) -> AppResult<Response> {
    manageable(&mut tx, id).await?;
    repo::set_active(&mut tx, id, active).await?;
    let (action, message) = if active {
        ("user_reactivated", t.staff.staff_reactivated)
    } else {
        ("user_deactivated", t.staff.staff_deactivated)
    };
    Done::to(format!("/medarbejdere/{id}"))
        .audit(Event::new(action).subject("user", id))
        .said(message)
        .finish(tx, addr, session)
        .await
}

/// Takes the password away, ends the member's sessions and mails them a link to choose a
/// new one. The coordinator learns no credential.
pub async fn reset_password(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let staff = manageable(&mut tx, id).await?;
    send_new_password_link(&mut tx, &staff).await?;
    Done::to(format!("/medarbejdere/{id}"))
        .audit(Event::new("password_reset").subject("user", id))
        .said(fill(page.t.staff.password_was_reset, &[&staff.email]))
        .finish(tx, addr, &session)
        .await
}

/// Clears an account's password (ending its sessions) and mails its owner a setup link.
/// The caller checks who may.
pub async fn send_new_password_link(tx: &mut TenantTx, staff: &repo::Staff) -> AppResult<()> {
    crate::auth::repo::clear_password(tx, staff.id).await?;
    let locale = crate::auth::repo::addressee(tx, staff.id)
        .await?
        .map(|to| to.locale)
        .unwrap_or_default();
    links::send(
        tx,
        &Addressee {
            user_id: staff.id,
            name: &staff.name,
            email: &staff.email,
            locale,
        },
        Purpose::Setup,
    )
    .await?;
    Ok(())
}

/// Removes the member's second factor and recovery codes and ends their sessions: they
/// enrol anew at their next login.
pub async fn reset_second_factor(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    manageable(&mut tx, id).await?;
    second_factor::reset(&mut tx, id).await?;
    Done::to(format!("/medarbejdere/{id}"))
        .audit(Event::new("second_factor_reset").subject("user", id))
        .said(page.t.staff.second_factor_was_reset)
        .finish(tx, addr, &session)
        .await
}
