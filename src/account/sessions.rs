//! The account page's "Her er du logget ind": the user's sessions, this one marked, and
//! "Log de andre ud". Also "Forbliv logget ind", which the idle-timeout warning posts
//! (static/korps.js).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::audit::{Done, Event};
use crate::auth::{self, CurrentUser, sessions};
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Messages, fill};
use crate::state::AppState;
use crate::web::Page;
use crate::web::client::ClientAddr;

/// One place the user is logged in, as the list shows it.
pub struct Row {
    pub device: String,
    pub network: String,
    pub started: String,
    pub last_active: String,
    pub current: bool,
}

/// The list for the account page (`account/sessions.html`).
pub struct SessionList {
    pub rows: Vec<Row>,
    /// Sessions besides this one.
    pub others: usize,
}

fn device(listed: &sessions::Listed, t: &'static Messages) -> String {
    let browser = if listed.browser.is_empty() {
        t.sessions.unknown_browser
    } else {
        &listed.browser
    };
    if listed.platform.is_empty() {
        browser.to_string()
    } else {
        fill(t.sessions.browser_on, &[browser, &listed.platform])
    }
}

/// The user's sessions, this one first.
pub async fn list(
    tx: &mut TenantTx,
    session: &Session,
    user: &CurrentUser,
    page: &Page,
) -> AppResult<SessionList> {
    let t = page.t;
    let idle_timeout = page
        .session
        .as_ref()
        .map_or(30 * 60, |clock| clock.idle_timeout);
    let current = auth::session_record(session).await?;
    let mut listed = sessions::list(tx, user.id, idle_timeout).await?;
    listed.sort_by_key(|row| Some(row.id) != current);
    let rows: Vec<Row> = listed
        .iter()
        .map(|row| Row {
            device: device(row, t),
            network: row
                .network
                .map_or(t.sessions.unknown_network.to_string(), |net| {
                    if net.is_ipv4() {
                        net.ip().to_string()
                    } else {
                        net.to_string()
                    }
                }),
            started: clock::format_datetime(row.started_at),
            last_active: clock::format_datetime(row.last_seen_at),
            current: Some(row.id) == current,
        })
        .collect();
    let others = rows.iter().filter(|row| !row.current).count();
    Ok(SessionList { rows, others })
}

/// "Forbliv logget ind": starts the idle time again. Answers 204 to the page's script.
pub async fn stay(
    State(state): State<AppState>,
    _user: CurrentUser,
    session: Session,
) -> AppResult<Response> {
    auth::stay_signed_in(&state, &session).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// "Log de andre ud": every other session of the user ends at its next request.
pub async fn end_others(
    user: CurrentUser,
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    page: Page,
) -> AppResult<Response> {
    // Every signed-in session has its row once its first request is done.
    let current = auth::session_record(&session)
        .await?
        .ok_or(AppError::Conflict)?;
    let ended = sessions::end_others(&mut tx, user.id, current).await?;
    Done::to("/konto#sessioner")
        .audit(
            Event::new("sessions_ended")
                .subject("user", user.id)
                .details(serde_json::json!({ "ended": ended })),
        )
        .said(page.t.sessions.others_ended)
        .finish(tx, addr, &session)
        .await
}
