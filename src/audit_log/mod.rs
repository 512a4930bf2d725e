//! The municipality's audit log (adgangslog) for its coordinators: filter by user, action
//! and date, export as CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::{self, ACTIONS, repo};
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::csv_export;
use crate::web::forms::FieldErrors;
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{ListUrl, Paging};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/adgangslog", COORDINATOR, audit_log_page)
            .menu(160, |t| t.common.nav_audit_log),
        Route::get("/adgangslog.csv", COORDINATOR, audit_log_csv),
    ]
}

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

struct Row {
    at: String,
    actor: String,
    action: String,
    subject: String,
    purpose: String,
    address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_log/log.html")]
struct LogView {
    page: Page,
    query: AuditQuery,
    actors: Vec<repo::Actor>,
    actions: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    errors: FieldErrors,
    paging: Paging,
    url: ListUrl,
    export: String,
}

/// The filter of the query; dates that cannot be read become messages for their field.
fn parse_filter(query: &AuditQuery, t: &'static Messages) -> (repo::Filter, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut date = |field: &'static str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let date = crate::web::forms::parse_date(text);
        if date.is_none() {
            errors.add(field, t.common.date_invalid);
        }
        date
    };
    let filter = repo::Filter {
        actor_id: query.actor.parse::<Uuid>().ok(),
        action: ACTIONS
            .iter()
            .find(|a| **a == query.action)
            .map(|a| a.to_string()),
        from: date("from", &query.from),
        to: date("to", &query.to),
    };
    (filter, errors)
}

fn row(entry: repo::Entry, t: &'static Messages) -> Row {
    Row {
        at: entry.at_local,
        actor: entry
            .actor_name
            .unwrap_or_else(|| t.audit.unknown_actor.to_string()),
        action: t.action_label(&entry.action).to_string(),
        subject: match (entry.subject_name, entry.subject_type, entry.subject_id) {
            (Some(name), _, _) => name,
            (None, Some(kind), Some(id)) => format!("{kind} {}", &id.to_string()[..8]),
            _ => String::new(),
        },
        purpose: entry.purpose.unwrap_or_default(),
        address: entry
            .client_addr
            .map(|addr| addr.ip().to_string())
            .unwrap_or_default(),
    }
}

fn list_url(path: &str, query: &AuditQuery, page: i64) -> ListUrl {
    ListUrl::new(
        path,
        &[
            ("actor", &query.actor),
            ("action", &query.action),
            ("from", &query.from),
            ("to", &query.to),
            ("page", &page.to_string()),
        ],
    )
}

pub async fn audit_log_page(
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let t = page.t;
    let (filter, errors) = parse_filter(&query, t);
    let paging = Paging::new(query.page, PER_PAGE);
    let (entries, total) = repo::page(&mut tx, &filter, paging.limit(), paging.offset()).await?;
    let actors = repo::actors(&mut tx).await?;
    tx.commit().await?;
    let url = list_url("/adgangslog", &query, paging.page);
    let export = list_url("/adgangslog.csv", &query, 1).with("page", "");
    Ok(LogView {
        actions: ACTIONS
            .iter()
            .map(|code| (*code, t.action_label(code)))
            .collect(),
        page: page
            .titled(t.audit.audit_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.audit.audit_title, "/adgangslog"),
        rows: entries.into_iter().map(|entry| row(entry, t)).collect(),
        query,
        actors,
        errors,
        paging: paging.with_total(total),
        url,
        export,
    }
    .into_response())
}

/// The most rows one export holds; narrow the dates for more.
const EXPORT_LIMIT: i64 = 100_000;

/// The filtered log as CSV; the export itself is logged.
pub async fn audit_log_csv(
    mut tx: TenantTx,
    addr: ClientAddr,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let t = user.locale.messages();
    let (filter, errors) = parse_filter(&query, t);
    if !errors.is_empty() {
        // Never export more than was asked for because a date could not be read.
        return Err(crate::error::AppError::Unprocessable);
    }
    let (entries, _) = repo::page(&mut tx, &filter, EXPORT_LIMIT, 0).await?;
    audit::record(
        &mut tx,
        addr,
        audit::Event::new("audit_log_exported")
            .details(serde_json::json!({ "rows": entries.len() })),
    )
    .await?;
    tx.commit().await?;
    let rows = entries.into_iter().map(|entry| {
        let row = row(entry, t);
        vec![
            row.at,
            row.actor,
            row.action,
            row.subject,
            row.purpose,
            row.address,
        ]
    });
    csv_export::download(
        "adgangslog.csv",
        &[
            t.audit.audit_at,
            t.audit.audit_actor,
            t.audit.audit_action,
            t.audit.audit_subject,
            t.audit.audit_purpose,
            t.audit.audit_address,
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use crate::web::forms::parse_date;
    use time::macros::date;

    #[test]
    fn dates_are_read_in_danish_and_iso_order() {
        assert_eq!(parse_date("01-11-2026"), Some(date!(2026 - 11 - 01)));
        assert_eq!(parse_date("2026-11-01"), Some(date!(2026 - 11 - 01)));
        assert_eq!(parse_date("1/11"), None);
    }
}
