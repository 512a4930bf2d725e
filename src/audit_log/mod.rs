//! The municipality's audit log (adgangslog) for its coordinators: filter by user, action
//! and date, export as CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
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
use crate::web::table::{self, List, ListQuery, ListSpec};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/adgangslog", COORDINATOR, audit_log_page)
            .menu(160, |t| t.common.nav_audit_log),
        Route::get("/adgangslog.csv", COORDINATOR, audit_log_csv),
    ]
}

static LIST: ListSpec = ListSpec {
    path: "/adgangslog",
    filters: &["actor", "action", "from", "to", "citizen"],
    per_page: 50,
    csv: Some("/adgangslog.csv"),
    ..ListSpec::PLAIN
};

struct Row {
    at: String,
    actor: String,
    action: String,
    subject: String,
    /// The citizen the entry is about, for the link to their entries only.
    citizen: Option<Uuid>,
    purpose: String,
    address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_log/log.html")]
struct LogView {
    page: Page,
    actors: Vec<(String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
    list: List<Row>,
}

/// The query read, and its filter; dates that cannot be read become messages for their
/// field.
fn read(query: Option<&str>, t: &'static Messages) -> (ListQuery, repo::Filter, FieldErrors) {
    let mut query = LIST.read(query);
    query
        .keep("actor", |actor| actor.parse::<Uuid>().is_ok())
        .keep("citizen", |citizen| citizen.parse::<Uuid>().is_ok())
        .keep_one_of("action", ACTIONS);
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
        actor_id: query.filter("actor").parse::<Uuid>().ok(),
        citizen_id: query.filter("citizen").parse::<Uuid>().ok(),
        action: Some(query.filter("action"))
            .filter(|action| !action.is_empty())
            .map(str::to_string),
        from: date("from", query.filter("from")),
        to: date("to", query.filter("to")),
    };
    (query, filter, errors)
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
        } + &entry
            .citizen_id
            .filter(|citizen| entry.subject_id != Some(*citizen))
            .map(|citizen| format!(" · citizen {}", &citizen.to_string()[..8]))
            .unwrap_or_default(),
        citizen: entry.citizen_id,
        purpose: entry.purpose.unwrap_or_default(),
        address: entry
            .client_addr
            .map(|addr| addr.ip().to_string())
            .unwrap_or_default(),
    }
}

pub async fn audit_log_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let (query, filter, errors) = read(query.as_deref(), t);
    let list = table::load!(query, |limit, offset| repo::page(
        &mut tx, &filter, limit, offset
    ));
    let actors = repo::actors(&mut tx).await?;
    tx.commit().await?;
    let a = &t.audit;
    let list = list.columns(
        t,
        &[
            (a.audit_at, None),
            (a.audit_actor, None),
            (a.audit_action, None),
            (a.audit_subject, None),
            (a.audit_purpose, None),
            (a.audit_address, None),
        ],
    );
    Ok(LogView {
        actions: ACTIONS
            .iter()
            .map(|code| (*code, t.action_label(code)))
            .collect(),
        page: page
            .titled(t.audit.audit_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.audit.audit_title, "/adgangslog"),
        list: list.map(|entry| row(entry, t)),
        actors: actors
            .into_iter()
            .map(|actor| (actor.id.to_string(), actor.name))
            .collect(),
        errors,
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
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = user.locale.messages();
    let (_, filter, errors) = read(query.as_deref(), t);
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
