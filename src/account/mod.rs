//! The user's own account: details, language, password, second factor, calendar feed,
//! sessions.

mod sessions;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::{Done, Event};
use crate::auth::{CurrentUser, password, repo};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::mail::NoticeKind;
use crate::mail::preferences::{self, DIGESTS, Preferences};
use crate::state::AppState;
use crate::vocab::{Role, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Choice, FieldErrors, Form};
use crate::web::routes::{Access, Route};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/konto", Access::SignedIn, account_page).before_password_change(),
        Route::post("/konto/sprog", Access::SignedIn, set_locale).before_password_change(),
        Route::post("/konto/adgangskode", Access::SignedIn, change_password)
            .before_password_change(),
        Route::post("/konto/mails", Access::SignedIn, set_mail_preferences),
        Route::post("/konto/sessioner/forbliv", Access::SignedIn, sessions::stay)
            .before_password_change(),
        Route::post(
            "/konto/sessioner/log-andre-ud",
            Access::SignedIn,
            sessions::end_others,
        )
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
    /// The mail choices (as stored, or as typed when refused).
    digest: String,
    digests: Vec<(&'static str, String)>,
    notices: Vec<Choice>,
    mail_errors: FieldErrors,
    calendar: crate::calendar::Status,
    sessions: sessions::SessionList,
    second_factor: bool,
}

/// The notice kinds this user can receive, for the mail choices.
fn notice_kinds(user: &CurrentUser) -> Vec<NoticeKind> {
    NoticeKind::for_roles(
        user.has(Role::Coordinator),
        user.has(Role::Mentor) || user.has(Role::ParentCoach),
    )
}

/// What the account page shows when the user's mail choices are refused: what they typed.
struct MailEntered {
    preferences: Preferences,
    errors: FieldErrors,
}

async fn view(
    tx: &mut TenantTx,
    session: &Session,
    user: &CurrentUser,
    page: Page,
    errors: FieldErrors,
    mail: Option<MailEntered>,
) -> AppResult<AccountView> {
    let t = page.t;
    let m = &t.mail;
    let mail = match mail {
        Some(entered) => entered,
        None => MailEntered {
            preferences: preferences::get(tx, user.id).await?,
            errors: FieldErrors::default(),
        },
    };
    Ok(AccountView {
        second_factor: crate::auth::second_factor::enrolled(tx, user.id).await?,
        calendar: crate::calendar::status(tx, session, user).await?,
        sessions: sessions::list(tx, session, user, &page).await?,
        digest: mail.preferences.digest.clone(),
        digests: DIGESTS
            .iter()
            .map(|code| {
                let label = match *code {
                    "daily" => m.digest_daily,
                    "weekly" => m.digest_weekly,
                    _ => m.digest_off,
                };
                (*code, label.to_string())
            })
            .collect(),
        notices: notice_kinds(user)
            .into_iter()
            .map(|kind| Choice {
                code: kind.code(),
                label: kind.label(t).to_string(),
                checked: !mail.preferences.mail_off.contains(&kind),
            })
            .collect(),
        mail_errors: mail.errors,
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
    let view = view(&mut tx, &session, &user, page, FieldErrors::default(), None).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

#[derive(Debug, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    digest: String,
    /// The notice kinds ticked: those wanted by mail.
    #[serde(default)]
    notices: Vec<String>,
}

pub async fn set_mail_preferences(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<MailForm>,
) -> AppResult<Response> {
    let t = page.t;
    let stored = preferences::get(&mut tx, user.id).await?;
    let offered = notice_kinds(&user);
    // Kinds not offered to this user keep their stored choice; offered ones not ticked
    // are off. Unknown codes in the form are ignored.
    let mut mail_off: Vec<NoticeKind> = stored
        .mail_off
        .iter()
        .copied()
        .filter(|kind| !offered.contains(kind))
        .collect();
    mail_off.extend(
        offered
            .iter()
            .copied()
            .filter(|kind| !form.notices.iter().any(|code| code == kind.code())),
    );
    let wanted = Preferences {
        digest: form.digest.clone(),
        mail_off,
    };
    if !DIGESTS.contains(&form.digest.as_str()) {
        let mut errors = FieldErrors::default();
        errors.add("digest", t.mail.prefs_digest_invalid);
        let entered = MailEntered {
            preferences: wanted,
            errors,
        };
        let view = view(
            &mut tx,
            &session,
            &user,
            page,
            FieldErrors::default(),
            Some(entered),
        )
        .await?;
        return Ok(forms::invalid(view));
    }
    preferences::set(&mut tx, user.id, &wanted).await?;
    Done::to("/konto#mails")
        .audit(
            Event::new("mail_preferences_changed")
                .subject("user", user.id)
                .details(
                    serde_json::json!({ "digest": wanted.digest, "mail_off": wanted.mail_off }),
                ),
        )
        .said(t.mail.prefs_saved)
        .finish(tx, addr, &session)
        .await
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

/// Changes the password. The hashes are checked and made with no connection held.
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let t = page.t;
    let mut errors = FieldErrors::default();
    let mut tx = TenantTx::begin(&state.pool, user.scope()).await?;
    let stored = repo::password_hash(&mut tx, user.id).await?;
    tx.commit().await?;
    if !password::verify(form.current_password.clone(), stored).await {
        errors.add("current_password", t.account.current_password_wrong);
    }
    if let Some(message) = password::check_new(&form.new_password, &user.email, t) {
        errors.add("new_password", message);
    } else if form.new_password != form.repeat_password {
        errors.add("repeat_password", t.account.passwords_differ);
    }
    if !errors.is_empty() {
        let mut tx = TenantTx::begin(&state.pool, user.scope()).await?;
        let view = view(&mut tx, &session, &user, page, errors, None).await?;
        tx.commit().await?;
        return Ok(forms::invalid(view));
    }
    let hash = password::hash(form.new_password).await?;
    let mut tx = TenantTx::begin(&state.pool, user.scope()).await?;
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
