//! One error type for every handler. A handler returns `AppError`; the response carries
//! only the status and an `ErrorPage` marker, and `web::error_pages` renders the page in
//! the layout, in the user's language. No error detail ever reaches the page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// The record changed underneath (someone else moved the course first).
    #[error("conflict")]
    Conflict,
    /// A request whose body does not fit the form at all (not a validation error: those
    /// re-render the form with messages).
    #[error("unprocessable request")]
    Unprocessable,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("internal: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// Put on an error response so that the error-page middleware renders it.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Database(err) if database_unavailable(err) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND,
            AppError::Database(_)
            | AppError::Session(_)
            | AppError::Template(_)
            | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Errors that mean "PostgreSQL is not reachable right now", not "this request is wrong".
pub fn database_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            // 57P01..57P03: the server is shutting down or starting; 08xxx: connection errors.
            .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
        _ => false,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // The error's text comes from the database driver or our own code, never from
            // user input, so it holds no personal data.
            tracing::error!(error = %self, "request failed");
        }
        error_page(status)
    }
}

/// A bare response with `status` that the error-page middleware turns into a page.
pub fn error_page(status: StatusCode) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(ErrorPage);
    response
}
