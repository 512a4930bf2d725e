//! The read log: which citizens a response showed, one audit entry per citizen.
//!
//! A handler that shows a citizen's data says so through [`Reads`]; the entries are kept
//! with the request and written by [`write`] after the handler has answered, in a
//! transaction of their own. So a read is logged whatever becomes of the request's own
//! transaction: committed, rolled back on a 409 or a 422, or lost to an error. If the
//! entries cannot be written, the page is not sent (503): nothing is shown unlogged.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

use super::Event;
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, error_page};
use crate::state::AppState;
use crate::web::client::{ClientAddr, client_addr};

/// One entry to write: an event as seen through `scope`.
struct Pending {
    scope: Scope,
    addr: ClientAddr,
    action: &'static str,
    subject_type: Option<&'static str>,
    subject_id: Option<Uuid>,
    citizen_id: Option<Uuid>,
    purpose: Option<String>,
    details: serde_json::Value,
    owner: Option<Uuid>,
}

/// The entries of one request, shared between the handler and [`write`].
#[derive(Clone, Default)]
struct ReadLog(Arc<Mutex<Vec<Pending>>>);

impl ReadLog {
    fn take(&self) -> Vec<Pending> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// What a handler uses to log that it showed citizens' data.
#[derive(Clone)]
pub struct Reads {
    log: ReadLog,
    addr: ClientAddr,
}

impl Reads {
    /// The client's address, as the entries record it (for a handler's own changes too).
    pub fn addr(&self) -> ClientAddr {
        self.addr
    }

    /// `event` showed `citizen`'s data to the transaction's user.
    pub fn citizen(&self, tx: &TenantTx, event: Event<'_>, citizen: Uuid) {
        self.citizens(tx, event, [citizen]);
    }

    /// `event` showed the data of each of `citizens` (a list page: every citizen on it,
    /// with the search words and filters in the event's details).
    pub fn citizens(
        &self,
        tx: &TenantTx,
        event: Event<'_>,
        citizens: impl IntoIterator<Item = Uuid>,
    ) {
        let scope = tx.scope();
        let mut pending = self.log.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut seen = std::collections::HashSet::new();
        for citizen in citizens {
            if !seen.insert(citizen) {
                continue;
            }
            pending.push(Pending {
                scope,
                addr: self.addr,
                action: event.action,
                subject_type: event.subject_type,
                subject_id: event.subject_id,
                citizen_id: Some(citizen),
                purpose: event.purpose.map(str::to_string),
                details: event.details.clone(),
                owner: event.owner,
            });
        }
    }
}

impl FromRequestParts<AppState> for Reads {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let log = parts.extensions.get::<ReadLog>().cloned().ok_or_else(|| {
            AppError::Internal("the read log is not installed on this route".into())
        })?;
        Ok(Reads {
            log,
            addr: ClientAddr(client_addr(parts, state.config.trust_proxy)),
        })
    }
}

/// Middleware: gives the request its read log and writes the entries once the handler
/// has answered, before the answer leaves.
pub async fn write(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let log = ReadLog::default();
    request.extensions_mut().insert(log.clone());
    let response = next.run(request).await;
    let pending = log.take();
    if pending.is_empty() {
        return response;
    }
    match insert(&state, pending).await {
        Ok(()) => response,
        Err(err) => {
            tracing::error!(error = %err, "writing the read log failed; the page is withheld");
            let status = if crate::error::database_unavailable(&err) {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            error_page(status)
        }
    }
}

async fn insert(state: &AppState, pending: Vec<Pending>) -> Result<(), sqlx::Error> {
    let mut scopes: Vec<Scope> = Vec::new();
    for entry in &pending {
        if !scopes.contains(&entry.scope) {
            scopes.push(entry.scope);
        }
    }
    for scope in scopes {
        let mut tx = TenantTx::begin(&state.pool, scope).await?;
        let own = scope.municipality_id();
        let mut rows = super::repo::Rows::default();
        for entry in pending.iter().filter(|entry| entry.scope == scope) {
            let mut logs = vec![own];
            if entry.owner.is_some() && entry.owner != own {
                logs.push(entry.owner);
            }
            for municipality in logs {
                rows.push(super::repo::Row {
                    municipality_id: municipality,
                    actor_id: scope.user_id(),
                    addr: entry.addr,
                    action: entry.action,
                    subject_type: entry.subject_type,
                    subject_id: entry.subject_id,
                    citizen_id: entry.citizen_id,
                    purpose: entry.purpose.as_deref(),
                    details: &entry.details,
                });
            }
        }
        super::repo::insert_many(&mut tx, &rows).await?;
        tx.commit().await?;
    }
    Ok(())
}
