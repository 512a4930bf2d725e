//! Renders every error response as a page in the layout, in the user's language: our own
//! `AppError`s, and axum's bare rejections (404 for unknown paths, 405, 413, bad forms);
//! and, without the session, the refusals made before it is read (`without_session`).

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::db;
use crate::error::ErrorPage;
use crate::i18n::Messages;
use crate::state::AppState;
use crate::web::routes::RouteTable;
use crate::web::{Page, Viewer, csrf};

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorView {
    page: Page,
    heading: &'static str,
    text: String,
    /// The request's id, for a user to quote and operations to find in the log.
    request_id: String,
}

pub async fn render_error_pages(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let sent_a_form = request.method() == axum::http::Method::POST;
    let routes = request.extensions().get::<Arc<RouteTable>>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    let marked = response.extensions().get::<ErrorPage>().is_some();
    // The API's own errors are JSON for the program that reads them.
    if !(status.is_client_error() || status.is_server_error())
        || (is_html && !marked)
        || crate::web::api::is_json(&response)
    {
        return response;
    }
    let mut status = status;
    // A failure below us while PostgreSQL is away is "come back soon", not a bug.
    if status == StatusCode::INTERNAL_SERVER_ERROR && !db::is_ready(&state.pool).await {
        status = StatusCode::SERVICE_UNAVAILABLE;
    }
    let viewer = response.extensions().get::<Viewer>().cloned();
    // The header's log-out form needs the signed-in session's token; visitors have no
    // form here, and without a database there is no token to get.
    let token = match &viewer {
        Some(_) if status != StatusCode::SERVICE_UNAVAILABLE => csrf::session_token(&session)
            .await
            .ok()
            .flatten()
            .unwrap_or_default(),
        _ => String::new(),
    };
    let page = Page::build(viewer.as_ref(), routes.as_deref(), &path, token, Vec::new());
    let (heading, mut text) = texts(status, page.t);
    if status == StatusCode::SERVICE_UNAVAILABLE && sent_a_form {
        // Never a false "saved": say that nothing was, and how to keep what was typed.
        text = page.t.common.error_503_form_text;
    }
    let mut rendered = render(status, page, heading, text.to_string());
    if let Some(viewer) = viewer {
        rendered.extensions_mut().insert(viewer);
    }
    rendered
}

/// An error page for a request refused before its session is read (too large, too many,
/// from another site): in the layout, without the user, in Danish. `text` replaces the
/// status's usual text.
pub fn without_session(
    status: StatusCode,
    path: &str,
    routes: Option<&RouteTable>,
    text: Option<String>,
) -> Response {
    let page = Page::build(None, routes, path, String::new(), Vec::new());
    let (heading, usual) = texts(status, page.t);
    render(
        status,
        page,
        heading,
        text.unwrap_or_else(|| usual.to_string()),
    )
}

fn texts(status: StatusCode, t: &'static Messages) -> (&'static str, &'static str) {
    match status.as_u16() {
        403 => (t.common.error_403_title, t.common.error_403_text),
        404 | 405 => (t.common.error_404_title, t.common.error_404_text),
        409 => (t.common.error_409_title, t.common.error_409_text),
        413 => (t.common.error_413_title, t.common.error_413_text),
        429 => (t.common.error_429_title, t.common.error_429_text),
        400 | 415 | 422 => (t.common.error_422_title, t.common.error_422_text),
        503 => (t.common.error_503_title, t.common.error_503_text),
        _ => (t.common.error_500_title, t.common.error_500_text),
    }
}

fn render(status: StatusCode, page: Page, heading: &'static str, text: String) -> Response {
    let page = page.titled(heading);
    let mut rendered = (
        status,
        ErrorView {
            page,
            heading,
            text,
            request_id: crate::web::telemetry::request_id().unwrap_or_default(),
        },
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        rendered
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    rendered
}
