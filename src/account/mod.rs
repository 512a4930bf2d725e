//! The user's own account: details, language, password, calendar feed.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::{Done, Event};
use crate::auth::{CurrentUser, password, repo};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::vocab::roles_label;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, FieldErrors, Form};
use crate::web::routes::{Access, Route};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/konto", Access::SignedIn, account_page).before_password_change(),
        Route::post("/konto/sprog", Access::SignedIn, set_locale).before_password_change(),
        Route::post("/konto/adgangskode", Access::SignedIn, change_password)
            .before_password_change(),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "account/account.html")]
struct AccountView {
    page: Page,
    name: String,
    email: String,
    roles: String,
    municipality: Option<String>,
    must_change: bool,
    errors: FieldErrors,
    calendar: crate::calendar::Status,
}

async fn view(
    tx: &mut TenantTx,
    session: &Session,
    user: &CurrentUser,
    page: Page,
    errors: FieldErrors,
) -> AppResult<AccountView> {
    let t = page.t;
    Ok(AccountView {
        calendar: crate::calendar::status(tx, session, user).await?,
        name: user.name.clone(),
        email: user.email.clone(),
        roles: roles_label(&user.roles, t),
        municipality: user.municipality.as_ref().map(|m| m.name.clone()),
        must_change: user.must_change_password,
        errors,
        page: page
            .titled(t.account.account_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.account.account_title, "/konto"),
    })
}

pub async fn account_page(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    page: Page,
) -> AppResult<Response> {
    let view = view(&mut tx, &session, &user, page, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

#[derive(Debug, Deserialize)]
pub struct LocaleForm {
    locale: String,
}

pub async fn set_locale(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    Form(form): Form<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::from_code(&form.locale).ok_or(AppError::Unprocessable)?;
    repo::set_locale(&mut tx, user.id, locale).await?;
    Done::to("/konto")
        .audit(Event::new("locale_changed").subject("user", user.id))
        .said(locale.messages().account.language_saved)
        .finish(tx, addr, &session)
        .await
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let t = page.t;
    let mut errors = FieldErrors::default();
    let stored = repo::password_hash(&mut tx, user.id).await?;
    if !password::verify(form.current_password.clone(), stored).await {
        errors.add("current_password", t.account.current_password_wrong);
    }
    if let Some(message) = password::check_new(&form.new_password, t) {
        errors.add("new_password", message);
    } else if form.new_password != form.repeat_password {
        errors.add("repeat_password", t.account.passwords_differ);
    }
    if !errors.is_empty() {
        let view = view(&mut tx, &session, &user, page, errors).await?;
        return Ok(forms::invalid(view));
    }
    let hash = password::hash(form.new_password).await?;
    let generation = repo::set_password(&mut tx, user.id, &hash, false).await?;
    let done = Done::to(if user.must_change_password {
        "/"
    } else {
        "/konto"
    })
    .audit(Event::new("password_changed").subject("user", user.id))
    .said(t.account.password_changed)
    .finish(tx, addr, &session)
    .await?;
    // Every other session of this user has ended; this one continues under a new id (the
    // message stays with it).
    crate::auth::start_session(&session, user.id, user.membership_id, generation).await?;
    Ok(done)
}
