//! The login's second step: a code from the authenticator app, or a recovery code, typed
//! into one field. Each code works once; tries are throttled per account and network.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{Pending, too_early, wait_text};
use crate::audit::{self, Event};
use crate::auth::second_factor::{self, Checked};
use crate::auth::throttle::{self, Kind, Limits};
use crate::db::{Scope, TenantTx};
use crate::error::AppResult;
use crate::i18n::fill;
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{FieldErrors, Form};

#[derive(Template, WebTemplate)]
#[template(path = "login/code.html")]
struct CodeView {
    page: Page,
    errors: FieldErrors,
}

fn view(page: Page, errors: FieldErrors) -> CodeView {
    let t = page.t;
    CodeView {
        page: page.titled(t.login.code_title),
        errors,
    }
}

pub async fn code_page(session: Session, page: Page) -> AppResult<Response> {
    match Pending::get(&session).await? {
        Some(pending) if !pending.enrol => Ok(view(page, FieldErrors::default()).into_response()),
        _ => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn submit_code(
    State(state): State<AppState>,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let t = page.t;
    let Some(pending) = Pending::get(&session).await?.filter(|p| !p.enrol) else {
        flash::push(&session, flash::Kind::Info, t.login.code_step_expired).await?;
        return Ok(Redirect::to("/login").into_response());
    };
    let invalid = |page: Page, message: String| {
        let mut errors = FieldErrors::default();
        errors.add("code", message);
        view(page, errors)
    };
    let checked = match throttled_check(&state, pending.user_id, addr, &form.code).await? {
        Throttled::TooEarly(wait) => {
            let message = format!("{} {}", t.login.code_throttled, wait_text(t, wait));
            return Ok(too_early(wait, invalid(page, message)));
        }
        Throttled::Checked(checked) => checked,
    };
    let mut tx = TenantTx::begin(
        &state.pool,
        Scope::User {
            user_id: pending.user_id,
        },
    )
    .await?;
    let how = match checked {
        Checked::Code => "totp",
        Checked::Recovery => "recovery_code",
        Checked::NotEnrolled => {
            // Reset while this login was under way: start again.
            tx.commit().await?;
            return Ok(Redirect::to("/login").into_response());
        }
        refused => {
            if matches!(refused, Checked::Wrong | Checked::Used) {
                audit::record_for(
                    &mut tx,
                    pending.municipality_id,
                    Some(pending.user_id),
                    addr,
                    Event::new("login_code_failed")
                        .details(serde_json::json!({ "reused": refused == Checked::Used })),
                )
                .await?;
            }
            tx.commit().await?;
            let view = invalid(page, refusal(t, refused).to_string());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        }
    };
    if checked == Checked::Recovery {
        let left = second_factor::recovery_codes_left(&mut tx, pending.user_id).await?;
        let message = fill(t.login.recovery_code_used, &[&left.to_string()]);
        flash::push(&session, flash::Kind::Info, message).await?;
    }
    pending.finish(tx, &session, addr, how, None).await
}

/// A code checked under the throttle, or how long to wait first.
pub enum Throttled {
    TooEarly(i64),
    Checked(Checked),
}

/// Checks a code the user typed, unless their tries came too fast: counts per account and
/// network as `auth::throttle` describes, and records the try (a malformed entry is not
/// a try).
pub async fn throttled_check(
    state: &AppState,
    user_id: uuid::Uuid,
    addr: ClientAddr,
    entered: &str,
) -> AppResult<Throttled> {
    let scope = Scope::User { user_id };
    let account = user_id.to_string();
    let network = addr.network();
    let mut tx = TenantTx::begin(&state.pool, scope).await?;
    let counts = throttle::counts(&mut tx, Kind::Code, &account, network).await?;
    tx.commit().await?;
    let limits = Limits::for_kind(Kind::Code, state.config.login_limit_per_address);
    let wait = throttle::wait(&counts, &limits, OffsetDateTime::now_utc());
    if wait > 0 {
        return Ok(Throttled::TooEarly(wait));
    }
    let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let checked = second_factor::check_entered(&state.pool, user_id, entered, now).await?;
    let passed = matches!(checked, Checked::Code | Checked::Recovery);
    if passed || matches!(checked, Checked::Wrong | Checked::Used) {
        let mut tx = TenantTx::begin(&state.pool, scope).await?;
        throttle::record(&mut tx, Kind::Code, &account, network, passed).await?;
        tx.commit().await?;
    }
    Ok(Throttled::Checked(checked))
}

/// The message beside the field for a code that did not pass.
pub fn refusal(t: &'static crate::i18n::Messages, checked: Checked) -> &'static str {
    match checked {
        Checked::Used => t.login.code_used,
        Checked::Malformed => t.login.code_malformed,
        _ => t.login.code_wrong,
    }
}
