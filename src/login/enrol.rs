//! Enrolling the second factor — during a login (an account without one) or from the
//! account page — and the recovery codes, shown once and renewable.
//!
//! Enrolment: a POST makes a new secret (no GET changes anything), the page shows it as a
//! QR code drawn by the server and as text, and the first right code confirms it. Then
//! ten recovery codes are made and shown once; only their hashes are kept.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::Pending;
use super::code::Throttled;
use crate::audit::{Done, Event};
use crate::auth::second_factor::{self, Checked};
use crate::auth::{CurrentUser, MaybeUser, repo, totp};
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, FieldErrors, Form};

/// Who is enrolling: someone half-way through a login, or a signed-in user.
enum Enroller {
    Pending(Pending),
    User(CurrentUser),
}

impl Enroller {
    async fn of(user: Option<CurrentUser>, session: &Session) -> AppResult<Option<Enroller>> {
        if let Some(user) = user {
            return Ok(Some(Enroller::User(user)));
        }
        Ok(Pending::get(session)
            .await?
            .filter(|pending| pending.enrol)
            .map(Enroller::Pending))
    }

    fn user_id(&self) -> Uuid {
        match self {
            Enroller::Pending(pending) => pending.user_id,
            Enroller::User(user) => user.id,
        }
    }

    fn scope(&self) -> Scope {
        match self {
            Enroller::Pending(pending) => Scope::User {
                user_id: pending.user_id,
            },
            Enroller::User(user) => user.scope(),
        }
    }

    /// May leave without a second factor (neither required, nor a signed-in user).
    fn may_skip(&self) -> bool {
        matches!(self, Enroller::Pending(pending) if !pending.required)
    }
}

/// The way back when there is nobody to enrol.
fn elsewhere(user_signed_in: bool) -> Response {
    Redirect::to(if user_signed_in { "/konto" } else { "/login" }).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "login/enrol.html")]
struct EnrolView {
    page: Page,
    /// The QR code (SVG) and the secret as text, once enrolment has begun.
    qr_svg: Option<String>,
    secret_text: String,
    may_skip: bool,
    required: bool,
    errors: FieldErrors,
}

async fn enrol_view(
    tx: &mut TenantTx,
    enroller: &Enroller,
    page: Page,
    errors: FieldErrors,
) -> AppResult<EnrolView> {
    let t = page.t;
    let user_id = enroller.user_id();
    let factor = second_factor::get(tx, user_id)
        .await?
        .filter(|factor| !factor.confirmed);
    let email = repo::email_of(tx, user_id).await?.unwrap_or_default();
    let (qr_svg, secret_text) = match &factor {
        Some(factor) => (
            Some(totp::qr_svg(
                &totp::otpauth_url(&factor.secret, &email),
                t.login.enrol_qr_label,
            )),
            totp::base32_grouped(&factor.secret),
        ),
        None => (None, String::new()),
    };
    Ok(EnrolView {
        qr_svg,
        secret_text,
        may_skip: enroller.may_skip(),
        required: matches!(enroller, Enroller::Pending(p) if p.required),
        errors,
        page: page.titled(t.login.enrol_title),
    })
}

pub async fn enrol_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session: Session,
    page: Page,
) -> AppResult<Response> {
    let signed_in = user.is_some();
    let Some(enroller) = Enroller::of(user, &session).await? else {
        return Ok(elsewhere(signed_in));
    };
    let mut tx = TenantTx::begin(&state.pool, enroller.scope()).await?;
    if second_factor::enrolled(&mut tx, enroller.user_id()).await? {
        tx.commit().await?;
        return Ok(elsewhere(signed_in));
    }
    let view = enrol_view(&mut tx, &enroller, page, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

/// Makes a new secret (also to start over, say with another phone).
pub async fn begin(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session: Session,
    addr: ClientAddr,
) -> AppResult<Response> {
    let signed_in = user.is_some();
    let Some(enroller) = Enroller::of(user, &session).await? else {
        return Ok(elsewhere(signed_in));
    };
    let mut tx = TenantTx::begin(&state.pool, enroller.scope()).await?;
    second_factor::begin_enrolment(&mut tx, enroller.user_id()).await?;
    Done::to("/totrin").finish(tx, addr, &session).await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Confirms the enrolment with a first code, makes the recovery codes and, during a
/// login, signs the user in.
pub async fn confirm(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let t = page.t;
    let signed_in = user.is_some();
    let Some(enroller) = Enroller::of(user, &session).await? else {
        return Ok(elsewhere(signed_in));
    };
    let user_id = enroller.user_id();
    let mut tx = TenantTx::begin(&state.pool, enroller.scope()).await?;
    let Some(factor) = second_factor::get(&mut tx, user_id)
        .await?
        .filter(|factor| !factor.confirmed)
    else {
        tx.commit().await?;
        return Ok(Redirect::to("/totrin").into_response());
    };
    let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    let step = match totp::parse(&form.code) {
        totp::Entered::Code(code) => totp::check(&factor.secret, &code, now, 0).ok(),
        _ => None,
    };
    let Some(step) = step else {
        let mut errors = FieldErrors::default();
        errors.add("code", t.login.enrol_code_wrong);
        let view = enrol_view(&mut tx, &enroller, page, errors).await?;
        tx.commit().await?;
        return Ok(forms::invalid(view));
    };
    tx.commit().await?;
    // Hashing the recovery codes holds no connection.
    let (codes, hashes) = second_factor::new_recovery_codes().await?;
    let mut tx = TenantTx::begin(&state.pool, enroller.scope()).await?;
    if !second_factor::confirm(&mut tx, user_id, step).await? {
        return Err(AppError::Conflict);
    }
    second_factor::replace_recovery_codes(&mut tx, user_id, &hashes).await?;
    let event = Event::new("second_factor_enrolled").subject("user", user_id);
    let codes_page = "/totrin/gendannelseskoder";
    let response = match enroller {
        Enroller::Pending(pending) => {
            let municipality = pending.municipality_id;
            crate::audit::record_for(&mut tx, municipality, Some(user_id), addr, event).await?;
            pending
                .finish(tx, &session, addr, "enrolled", Some(codes_page))
                .await?
        }
        Enroller::User(_) => {
            Done::to(codes_page)
                .audit(event)
                .said(t.login.enrolled)
                .finish(tx, addr, &session)
                .await?
        }
    };
    flash::put_secret(&session, user_id, &codes.join("\n")).await?;
    Ok(response)
}

/// Leaves a login without enrolling, where a second factor is not required.
pub async fn skip(
    State(state): State<AppState>,
    session: Session,
    addr: ClientAddr,
) -> AppResult<Response> {
    let Some(pending) = Pending::get(&session).await?.filter(|p| p.enrol) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut tx = TenantTx::begin(
        &state.pool,
        Scope::User {
            user_id: pending.user_id,
        },
    )
    .await?;
    // Asked again: the municipality may have begun to require it since the password step.
    if second_factor::required(&mut tx, pending.user_id).await? {
        tx.commit().await?;
        return Ok(Redirect::to("/totrin").into_response());
    }
    pending.finish(tx, &session, addr, "none", None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "login/recovery_codes.html")]
struct RecoveryCodesView {
    page: Page,
    /// The new codes, shown this once.
    codes: Vec<String>,
    /// "You have N unused recovery codes."
    left_text: String,
    enrolled: bool,
    errors: FieldErrors,
}

async fn recovery_view(
    tx: &mut TenantTx,
    user: &CurrentUser,
    page: Page,
    codes: Vec<String>,
    errors: FieldErrors,
) -> AppResult<RecoveryCodesView> {
    let t = page.t;
    Ok(RecoveryCodesView {
        left_text: crate::i18n::fill(
            t.login.recovery_left,
            &[&second_factor::recovery_codes_left(tx, user.id)
                .await?
                .to_string()],
        ),
        enrolled: second_factor::enrolled(tx, user.id).await?,
        codes,
        errors,
        page: page
            .titled(t.login.recovery_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.account.account_title, "/konto")
            .crumb(t.login.recovery_title, "/totrin/gendannelseskoder"),
    })
}

pub async fn recovery_codes_page(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    page: Page,
) -> AppResult<Response> {
    let codes = flash::take_secret(&session, user.id)
        .await?
        .map(|codes| codes.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let view = recovery_view(&mut tx, &user, page, codes, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

/// New recovery codes for old ones; a current code from the app (or a recovery code)
/// proves the phone is still at hand.
pub async fn renew_recovery_codes(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let t = page.t;
    let refused = match super::code::throttled_check(&state, user.id, addr, &form.code).await? {
        Throttled::TooEarly(wait) => Some((
            format!("{} {}", t.login.code_throttled, super::wait_text(t, wait)),
            StatusCode::TOO_MANY_REQUESTS,
        )),
        Throttled::Checked(Checked::Code | Checked::Recovery) => None,
        Throttled::Checked(checked) => Some((
            super::code::refusal(t, checked).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    };
    if let Some((message, status)) = refused {
        let mut errors = FieldErrors::default();
        errors.add("code", message);
        let mut tx = TenantTx::begin(&state.pool, user.scope()).await?;
        let view = recovery_view(&mut tx, &user, page, Vec::new(), errors).await?;
        tx.commit().await?;
        return Ok((status, view).into_response());
    }
    let (codes, hashes) = second_factor::new_recovery_codes().await?;
    let mut tx = TenantTx::begin(&state.pool, user.scope()).await?;
    second_factor::replace_recovery_codes(&mut tx, user.id, &hashes).await?;
    let done = Done::to("/totrin/gendannelseskoder")
        .audit(Event::new("recovery_codes_renewed").subject("user", user.id))
        .said(t.login.recovery_renewed)
        .finish(tx, addr, &session)
        .await?;
    flash::put_secret(&session, user.id, &codes.join("\n")).await?;
    Ok(done)
}
