//! Signing in and out. A login takes two steps: the password (this file), then a code
//! from the authenticator app or a recovery code (`code`), or — for an account without a
//! second factor — enrolment (`enrol`). People choose their own passwords by a link sent
//! to their own e-mail (`links`): for a new account, after a reset, or when they forgot it.
//! Every step is throttled by growing delays (`auth::throttle`) and audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{self, Done, Event};
use crate::auth::throttle::{self, Kind, Limits};
use crate::auth::{
    CurrentUser, MaybeUser, end_session, password, repo, second_factor, start_session,
};
use crate::db::{Scope, TenantTx};
use crate::error::AppResult;
use crate::i18n::{Messages, fill};
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, FieldErrors, Form};
use crate::web::routes::{Access, Route};

mod code;
mod enrol;
mod links;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Access::Public, login_page),
        Route::post("/login", Access::Public, login),
        Route::get("/login/kode", Access::Public, code::code_page),
        Route::post("/login/kode", Access::Public, code::submit_code),
        Route::post("/logout", Access::SignedIn, logout).before_password_change(),
        Route::get("/totrin", Access::Public, enrol::enrol_page).before_password_change(),
        Route::post("/totrin/start", Access::Public, enrol::begin).before_password_change(),
        Route::post("/totrin", Access::Public, enrol::confirm).before_password_change(),
        Route::post("/totrin/spring-over", Access::Public, enrol::skip),
        Route::get(
            "/totrin/gendannelseskoder",
            Access::SignedIn,
            enrol::recovery_codes_page,
        )
        .before_password_change(),
        Route::post(
            "/totrin/gendannelseskoder",
            Access::SignedIn,
            enrol::renew_recovery_codes,
        )
        .before_password_change(),
        Route::get(links::PATH, Access::Public, links::choose_page),
        Route::post(links::PATH, Access::Public, links::choose),
        Route::get("/glemt-adgangskode", Access::Public, links::forgot_page),
        Route::post("/glemt-adgangskode", Access::Public, links::forgot),
    ]
}

/// A login between the password and the second factor, kept in the session for ten
/// minutes. It is not a signed-in session: no page but the code step and enrolment
/// accepts it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub generation: i32,
    /// Enrolment instead of a code: the user has no second factor yet.
    pub enrol: bool,
    /// A second factor is required (enrolment cannot be skipped).
    pub required: bool,
    pub next: String,
    pub since: i64,
}

const PENDING_KEY: &str = "pending_login";
const PENDING_SECS: i64 = 10 * 60;

impl Pending {
    /// The login waiting in this session, unless it is older than ten minutes.
    pub async fn get(session: &Session) -> AppResult<Option<Pending>> {
        let pending = match session.get::<Pending>(PENDING_KEY).await {
            Ok(pending) => pending,
            Err(tower_sessions::session::Error::SerdeJson(_)) => None,
            Err(err) => return Err(err.into()),
        };
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Ok(pending.filter(|p| now - p.since <= PENDING_SECS))
    }

    /// Starts the second step of a login for an account whose password (or mailed link)
    /// was right, under a new session id; returns where to go.
    async fn begin(
        state: &AppState,
        session: &Session,
        account: &repo::LoginAccount,
        membership: &repo::MembershipChoice,
        next: String,
    ) -> AppResult<&'static str> {
        let mut tx = TenantTx::begin(
            &state.pool,
            Scope::User {
                user_id: account.id,
            },
        )
        .await?;
        let enrolled = second_factor::enrolled(&mut tx, account.id).await?;
        let required = second_factor::required(&mut tx, account.id).await?;
        if !enrolled {
            second_factor::begin_enrolment(&mut tx, account.id).await?;
        }
        tx.commit().await?;
        let pending = Pending {
            user_id: account.id,
            membership_id: membership.id,
            municipality_id: membership.municipality_id,
            generation: account.session_generation,
            enrol: !enrolled,
            required,
            next,
            since: OffsetDateTime::now_utc().unix_timestamp(),
        };
        session.cycle_id().await?;
        session.insert(PENDING_KEY, &pending).await?;
        Ok(if enrolled { "/login/kode" } else { "/totrin" })
    }

    /// Completes the login: the audit entry (with how the second step was passed), the
    /// signed-in session under a new id, and the way on.
    async fn finish(
        self,
        tx: TenantTx,
        session: &Session,
        addr: ClientAddr,
        second_factor: &'static str,
        location: Option<&str>,
    ) -> AppResult<Response> {
        let location = location.map(str::to_string).unwrap_or_else(|| {
            if self.next.is_empty() {
                "/".into()
            } else {
                self.next.clone()
            }
        });
        let done = Done::to(location)
            .audit_in(
                self.municipality_id,
                Event::new("login_succeeded")
                    .details(serde_json::json!({ "second_factor": second_factor })),
            )
            .finish(tx, addr, session)
            .await?;
        session.remove::<Pending>(PENDING_KEY).await?;
        start_session(session, self.user_id, self.membership_id, self.generation).await?;
        Ok(done)
    }
}

/// The answer to a try that came too early: the form again, 429, with the time to wait.
pub fn too_early(seconds: i64, page: impl IntoResponse) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, seconds.max(1).to_string())],
        page,
    )
        .into_response()
}

/// "Vent 2 minutter, og prøv igen."-style text for a wait of `seconds`.
pub fn wait_text(t: &'static Messages, seconds: i64) -> String {
    let l = &t.login;
    let amount = if seconds < 60 {
        let s = seconds.max(1);
        if s == 1 {
            l.one_second.to_string()
        } else {
            fill(l.n_seconds, &[&s.to_string()])
        }
    } else {
        let minutes = (seconds + 59) / 60;
        if minutes == 1 {
            l.one_minute.to_string()
        } else {
            fill(l.n_minutes, &[&minutes.to_string()])
        }
    };
    fill(l.wait_and_retry, &[&amount])
}

#[derive(Template, WebTemplate)]
#[template(path = "login/login.html")]
struct LoginView {
    page: Page,
    email: String,
    next: String,
    errors: FieldErrors,
    form_error: Option<String>,
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
    let again = |page: Page, errors: FieldErrors, form_error: Option<String>| LoginView {
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

    let network = addr.network();
    let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    let counts = throttle::counts(&mut tx, Kind::Password, &email, network).await?;
    let account = repo::login_account(&mut tx, &email).await?;
    tx.commit().await?;

    // Too early: refused without checking the password, not counted, and the same answer
    // whether or not the account exists.
    let limits = Limits::for_kind(Kind::Password, state.config.login_limit_per_address);
    let wait = throttle::wait(&counts, &limits, OffsetDateTime::now_utc());
    if wait > 0 {
        let mut tx = TenantTx::begin(&state.pool, account_scope(account.as_ref())).await?;
        let (municipality, actor) = audit_target(&mut tx, account.as_ref()).await?;
        audit::record_for(
            &mut tx,
            municipality,
            actor,
            addr,
            Event::new("login_throttled"),
        )
        .await?;
        tx.commit().await?;
        let message = format!("{} {}", t.login.login_throttled, wait_text(t, wait));
        return Ok(too_early(
            wait,
            again(page, FieldErrors::default(), Some(message)),
        ));
    }
    // No connection is held while the hash is checked.
    let stored_hash = account
        .as_ref()
        .map(|account| account.password_hash.clone());
    let password_ok = password::verify(form.password.clone(), stored_hash).await;
    let mut tx = TenantTx::begin(&state.pool, account_scope(account.as_ref())).await?;
    let membership = match &account {
        Some(account) if password_ok && account.active => {
            repo::first_membership(&mut tx, account.id).await?
        }
        _ => None,
    };
    let (Some(account), Some(membership)) = (account.as_ref(), membership) else {
        // Counted, and a known account's municipality sees it in its log.
        throttle::record(&mut tx, Kind::Password, &email, network, false).await?;
        let (municipality, actor) = audit_target(&mut tx, account.as_ref()).await?;
        audit::record_for(
            &mut tx,
            municipality,
            actor,
            addr,
            Event::new("login_failed"),
        )
        .await?;
        tx.commit().await?;
        let view = again(
            page,
            FieldErrors::default(),
            Some(t.login.login_failed.to_string()),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    };
    throttle::record(&mut tx, Kind::Password, &email, network, true).await?;
    // A password found among the common breached ones since it was chosen must be
    // replaced right after this login.
    if password::is_common(&form.password) {
        repo::require_new_password(&mut tx, account.id).await?;
    }
    tx.commit().await?;
    let location = Pending::begin(&state, &session, account, &membership, next).await?;
    Ok(Redirect::to(location).into_response())
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
