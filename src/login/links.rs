//! Choosing a password by a link from one's own mail (a new account, a reset, "forgot
//! password"), and asking for such a link. The answer to "forgot password" never says
//! whether the address has an account.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{Pending, too_early, wait_text};
use crate::audit::{Done, Event};
use crate::auth::links::{self, Addressee, Purpose};
use crate::auth::throttle::{self, Kind, Limits};
use crate::auth::{MaybeUser, end_session, password, repo};
use crate::db::{Scope, TenantTx};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, FieldErrors, Form};

pub use crate::auth::links::PATH;

/// Reset mails one address may get per hour; further requests get the same answer and
/// no mail.
const RESET_MAILS_PER_HOUR: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "login/choose_password.html")]
struct ChooseView {
    page: Page,
    token: String,
    email: String,
    setup: bool,
    errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "login/link_gone.html")]
struct GoneView {
    page: Page,
}

fn gone(page: Page) -> Response {
    let t = page.t;
    let view = GoneView {
        page: page.titled(t.login.link_gone_title),
    };
    (StatusCode::GONE, view).into_response()
}

/// The link and its account, if the token is one and still works.
async fn usable_link(
    state: &AppState,
    token: &str,
) -> AppResult<Option<(links::Link, repo::LoginAccount, String)>> {
    let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    let link = links::find(&mut tx, token).await?;
    tx.commit().await?;
    let Some(link) = link.filter(|link| link.usable) else {
        return Ok(None);
    };
    let mut tx = TenantTx::begin(
        &state.pool,
        Scope::User {
            user_id: link.user_id,
        },
    )
    .await?;
    let email = repo::email_of(&mut tx, link.user_id).await?;
    let account = match &email {
        Some(email) => repo::login_account(&mut tx, email).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(account
        .zip(email)
        .map(|(account, email)| (link, account, email)))
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn choose_page(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<TokenQuery>,
) -> AppResult<Response> {
    let Some((link, _, email)) = usable_link(&state, &query.token).await? else {
        return Ok(gone(page));
    };
    let t = page.t;
    Ok(ChooseView {
        page: page.titled(t.login.choose_title),
        token: query.token,
        email,
        setup: link.purpose == Purpose::Setup,
        errors: FieldErrors::default(),
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

/// Sets the password chosen by the link's owner, uses the link up, ends every session of
/// the account, and goes on to the second factor — its code, or enrolment.
pub async fn choose(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    let t = page.t;
    let Some((link, account, email)) = usable_link(&state, &form.token).await? else {
        return Ok(gone(page));
    };
    let mut errors = FieldErrors::default();
    if let Some(message) = password::check_new(&form.new_password, &email, t) {
        errors.add("new_password", message);
    } else if form.new_password != form.repeat_password {
        errors.add("repeat_password", t.account.passwords_differ);
    }
    if !errors.is_empty() {
        return Ok(forms::invalid(ChooseView {
            page: page.titled(t.login.choose_title),
            token: form.token,
            email,
            setup: link.purpose == Purpose::Setup,
            errors,
        }));
    }
    let hash = password::hash(form.new_password).await?;
    let mut tx = TenantTx::begin(
        &state.pool,
        Scope::User {
            user_id: link.user_id,
        },
    )
    .await?;
    // A second submit of the same form finds the link used.
    if !links::take(&mut tx, link.id).await? {
        return Ok(gone(page));
    }
    let generation = repo::set_password(&mut tx, link.user_id, &hash, false).await?;
    links::revoke(&mut tx, link.user_id).await?;
    let membership = repo::first_membership(&mut tx, link.user_id).await?;
    let Some(membership) = membership else {
        tx.commit().await?;
        return Ok(gone(page));
    };
    let event = Event::new("password_chosen")
        .subject("user", link.user_id)
        .details(serde_json::json!({ "link": link.purpose.code() }));
    crate::audit::record_for(
        &mut tx,
        membership.municipality_id,
        Some(link.user_id),
        addr,
        event,
    )
    .await?;
    tx.commit().await?;
    // Whoever was signed in in this browser is not the link's owner's session.
    if user.is_some() {
        end_session(&session).await?;
    }
    let account = repo::LoginAccount {
        session_generation: generation,
        ..account
    };
    let location = Pending::begin(&state, &session, &account, &membership, String::new()).await?;
    flash::push(&session, flash::Kind::Success, t.login.password_chosen).await?;
    Ok(Redirect::to(location).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "login/forgot.html")]
struct ForgotView {
    page: Page,
    email: String,
    errors: FieldErrors,
}

fn forgot_view(page: Page, email: String, errors: FieldErrors) -> ForgotView {
    let t = page.t;
    ForgotView {
        page: page.titled(t.login.forgot_title),
        email,
        errors,
    }
}

pub async fn forgot_page(page: Page) -> Response {
    forgot_view(page, String::new(), FieldErrors::default()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Mails a reset link if the address has an active account — with the same answer either
/// way, throttled per network, and at most a few mails per address an hour.
pub async fn forgot(
    State(state): State<AppState>,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let t = page.t;
    let email = form.email.trim().to_lowercase();
    if !forms::is_valid_email(&email) {
        let mut errors = FieldErrors::default();
        errors.add("email", t.login.enter_email);
        return Ok(forms::invalid(forgot_view(
            page,
            form.email.trim().to_string(),
            errors,
        )));
    }
    let network = addr.network();
    let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    let counts = throttle::counts(&mut tx, Kind::Reset, &email, network).await?;
    let wait = throttle::wait(
        &counts,
        &Limits::for_kind(Kind::Reset, state.config.login_limit_per_address),
        OffsetDateTime::now_utc(),
    );
    if wait > 0 {
        tx.commit().await?;
        let mut errors = FieldErrors::default();
        errors.add(
            "email",
            format!("{} {}", t.login.forgot_throttled, wait_text(t, wait)),
        );
        return Ok(too_early(
            wait,
            forgot_view(page, form.email.trim().to_string(), errors),
        ));
    }
    let earlier = throttle::recent_requests(&mut tx, &email).await?;
    // Every request counts towards the network's delays, found or not.
    throttle::record(&mut tx, Kind::Reset, &email, network, false).await?;
    let account = repo::account_for_email(&mut tx, &email).await?;
    tx.commit().await?;
    if let Some(user_id) = account.filter(|_| earlier < RESET_MAILS_PER_HOUR) {
        let mut tx = TenantTx::begin(&state.pool, Scope::User { user_id }).await?;
        if let Some(to) = repo::addressee(&mut tx, user_id).await? {
            links::send(
                &mut tx,
                &Addressee {
                    user_id,
                    name: &to.name,
                    email: &to.email,
                    locale: to.locale,
                },
                Purpose::Reset,
            )
            .await?;
            let municipality = repo::first_membership(&mut tx, user_id)
                .await?
                .and_then(|m| m.municipality_id);
            crate::audit::record_for(
                &mut tx,
                municipality,
                Some(user_id),
                addr,
                Event::new("password_reset_requested").subject("user", user_id),
            )
            .await?;
        }
        tx.commit().await?;
    }
    let tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    Done::to("/login")
        .message(flash::Kind::Info, t.login.forgot_sent)
        .finish(tx, addr, &session)
        .await
}
