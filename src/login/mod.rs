//! Logging in and out: the login page, the password check with its throttling, and the
//! audit entries of both.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use crate::audit::{self, Done, Event};
use crate::auth::{CurrentUser, MaybeUser, end_session, password, repo, start_session};
use crate::db::{Scope, TenantTx};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, FieldErrors, Form};
use crate::web::routes::{Access, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Access::Public, login_page),
        Route::post("/login", Access::Public, login),
        Route::post("/logout", Access::SignedIn, logout).before_password_change(),
    ]
}

/// After this many failed logins within 15 minutes, an account refuses further tries.
pub const FAILURES_PER_ACCOUNT: i64 = 5;

#[derive(Template, WebTemplate)]
#[template(path = "login/login.html")]
struct LoginView {
    page: Page,
    email: String,
    next: String,
    errors: FieldErrors,
    form_error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_page(
    MaybeUser(user): MaybeUser,
    page: Page,
    Query(query): Query<NextQuery>,
) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    let t = page.t;
    LoginView {
        page: page.titled(t.login.log_in),
        email: String::new(),
        next: safe_next(&query.next),
        errors: FieldErrors::default(),
        form_error: None,
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let t = page.t;
    let email = form.email.trim().to_lowercase();
    let next = safe_next(&form.next);
    let again = |page: Page, errors: FieldErrors, form_error: Option<&'static str>| LoginView {
        page: page.titled(t.login.log_in),
        email: form.email.trim().to_string(),
        next: next.clone(),
        errors,
        form_error,
    };

    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", t.login.enter_email);
    }
    if form.password.is_empty() {
        errors.add("password", t.login.enter_password);
    }
    if !errors.is_empty() {
        return Ok(forms::invalid(again(page, errors, None)));
    }

    let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    let failures = repo::recent_failures(&mut tx, &email, addr.0).await?;
    let account = repo::login_account(&mut tx, &email).await?;
    tx.commit().await?;

    // Throttled: refuse without checking the password, with the same answer whether or
    // not the account exists.
    let throttled = failures.for_account >= FAILURES_PER_ACCOUNT
        || failures.from_address >= state.config.login_limit_per_address;
    let password_ok = !throttled && {
        let stored_hash = account
            .as_ref()
            .map(|account| account.password_hash.clone());
        password::verify(form.password.clone(), stored_hash).await
    };
    let mut tx = TenantTx::begin(&state.pool, account_scope(account.as_ref())).await?;
    let membership = match &account {
        Some(account) if password_ok && account.active => {
            repo::first_membership(&mut tx, account.id).await?
        }
        _ => None,
    };
    let (Some(account), Some(membership)) = (account.as_ref(), membership) else {
        // The attempt counts towards the throttle, and a known account's municipality
        // sees it in its log.
        let (action, message, status) = if throttled {
            let status = StatusCode::TOO_MANY_REQUESTS;
            ("login_throttled", t.login.login_throttled, status)
        } else {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            ("login_failed", t.login.login_failed, status)
        };
        repo::record_attempt(&mut tx, &email, addr.0, false).await?;
        let (municipality, actor) = audit_target(&mut tx, account.as_ref()).await?;
        audit::record_for(&mut tx, municipality, actor, addr, Event::new(action)).await?;
        tx.commit().await?;
        let view = again(page, FieldErrors::default(), Some(message));
        return Ok((status, view).into_response());
    };
    repo::record_attempt(&mut tx, &email, addr.0, true).await?;
    // The transaction is the account's (no municipality chosen yet): the entry goes into
    // the municipality the session starts in.
    let done = Done::to(if next.is_empty() { "/" } else { &next })
        .audit_in(membership.municipality_id, Event::new("login_succeeded"))
        .finish(tx, addr, &session)
        .await?;
    start_session(
        &session,
        account.id,
        membership.id,
        account.session_generation,
    )
    .await?;
    Ok(done)
}

fn account_scope(account: Option<&repo::LoginAccount>) -> Scope {
    account.map_or(Scope::Anonymous, |account| Scope::User {
        user_id: account.id,
    })
}

/// Failed logins of a known account go into that account's municipality's log, so the
/// coordinator sees them; unknown e-mails go into the national log, without the e-mail.
async fn audit_target(
    tx: &mut TenantTx,
    account: Option<&repo::LoginAccount>,
) -> Result<(Option<uuid::Uuid>, Option<uuid::Uuid>), sqlx::Error> {
    let Some(account) = account else {
        return Ok((None, None));
    };
    let membership = repo::first_membership(tx, account.id).await?;
    Ok((membership.and_then(|m| m.municipality_id), Some(account.id)))
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: &str) -> String {
    // Only printable ASCII: browsers drop tabs and newlines, so "/\t/evil" is "//evil".
    let plain = next.chars().all(|c| c.is_ascii_graphic());
    if plain
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next != "/login"
    {
        next.to_string()
    } else {
        String::new()
    }
}

pub async fn logout(
    user: CurrentUser,
    session: Session,
    addr: ClientAddr,
    mut tx: TenantTx,
) -> AppResult<Response> {
    audit::record(&mut tx, addr, Event::new("logout")).await?;
    tx.commit().await?;
    end_session(&session).await?;
    flash::push(
        &session,
        flash::Kind::Success,
        user.locale.messages().login.logged_out,
    )
    .await?;
    Ok(Redirect::to("/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next("/medarbejdere"), "/medarbejdere");
        assert_eq!(safe_next("//evil.example"), "");
        assert_eq!(safe_next("https://evil.example"), "");
        assert_eq!(safe_next("/\\evil.example"), "");
        assert_eq!(safe_next("/\t/evil.example"), "");
        assert_eq!(safe_next("/x\ny"), "");
    }
}
