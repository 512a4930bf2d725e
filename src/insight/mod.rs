//! A citizen's insight (indsigt) for the coordinators: who has seen or changed the
//! citizen's data (the per-citizen access log, printable, as CSV and as a PDF letter
//! answering an access request, GDPR art. 15), everything Korps holds about the citizen
//! (the data extract, printable and as JSON, art. 15 and 20), and the check of reads: members
//! who read citizens outside their own courses, and unusual read volumes.
//!
//! Choices made here:
//! - The letter names the staff member and their role for each entry: they acted for the
//!   municipality, Datatilsynet accepts employees' names in an answer to an access request,
//!   and the CJEU (C-579/21) allows them where the citizen needs them to check the
//!   lawfulness. The network address stays in the page and the CSV, not in the letter.
//! - A role is the person's role in the municipality today (memberships keep no history);
//!   a member lent from another municipality is named as such.
//! - The extract names relatives by relation and name only (the citizen's own family) and
//!   members in a conflict by name and reason only. A course's sessions are included whole,
//!   notes too: a relatives' network's notes are the course's, which the citizen takes
//!   part in.
//! - Every page and download here is itself in the audit log, naming the citizen.

pub mod letter;
pub mod model;
pub mod repo;
mod views;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Event, Reads};
use crate::auth::CurrentUser;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Messages, fill};
use crate::vocab::{Role, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::csv_export;
use crate::web::forms::{FieldErrors, parse_date};
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{self, ListQuery, ListSpec};
use views::{AccessRow, AccessView, CheckView, ExtractView};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/borgere/{id}/adgangslog", COORDINATOR, access_log_page),
        Route::get("/borgere/{id}/adgangslog.csv", COORDINATOR, access_log_csv),
        Route::get(
            "/borgere/{id}/adgangslog.pdf",
            COORDINATOR,
            access_log_letter,
        ),
        Route::get("/borgere/{id}/udtraek", COORDINATOR, extract_page),
        Route::get("/borgere/{id}/udtraek.json", COORDINATOR, extract_json),
        Route::get("/adgangskontrol", COORDINATOR, check_page).menu(165, |t| t.insight.check_title),
    ]
}

/// Why a citizen's data is read here (the audit log's purpose): to answer the citizen.
pub const PURPOSE_ACCESS_REQUEST: &str = "access_request";
/// Why the check of reads reads the log.
pub const PURPOSE_SUPERVISION: &str = "supervision";

static LIST: ListSpec = ListSpec {
    path: "/borgere/{id}/adgangslog",
    filters: &["kind", "actor", "from", "to"],
    per_page: 50,
    ..ListSpec::PLAIN
};

/// The most entries one download holds; narrow the dates for more.
const EXPORT_LIMIT: i64 = 100_000;
/// How far back the check of reads looks.
const CHECK_DAYS: i64 = 30;

/// The citizen of the municipality, or 404 (another municipality's citizen is invisible).
async fn citizen(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Citizen> {
    repo::citizen(tx, id).await?.ok_or(AppError::NotFound)
}

/// The query read, and its filter; dates that cannot be read become messages for their
/// field.
fn read(
    id: Uuid,
    query: Option<&str>,
    t: &'static Messages,
) -> (ListQuery, repo::AccessFilter, FieldErrors) {
    let mut query = LIST.read_at(format!("/borgere/{id}/adgangslog"), query);
    query
        .keep_one_of("kind", &["read", "change"])
        .keep("actor", |actor| actor.parse::<Uuid>().is_ok());
    let mut errors = FieldErrors::default();
    let mut date = |field: &'static str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let date = parse_date(text);
        if date.is_none() {
            errors.add(field, t.common.date_invalid);
        }
        date
    };
    let filter = repo::AccessFilter {
        reads: match query.filter("kind") {
            "read" => Some(true),
            "change" => Some(false),
            _ => None,
        },
        actor_id: query.filter("actor").parse::<Uuid>().ok(),
        from: date("from", query.filter("from")),
        to: date("to", query.filter("to")),
    };
    (query, filter, errors)
}

/// The filters as a query string, for the downloads of what the page shows.
fn filter_query(query: &ListQuery) -> String {
    let pairs: Vec<(&str, &str)> = ["kind", "actor", "from", "to"]
        .into_iter()
        .map(|name| (name, query.filter(name)))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

fn filter_details(query: &ListQuery) -> serde_json::Value {
    json!({
        "kind": query.filter("kind"),
        "actor": query.filter("actor"),
        "from": query.filter("from"),
        "to": query.filter("to"),
    })
}

/// The person's role as shown: their roles here, or that they were lent to us.
fn role_of(entry: &repo::AccessEntry, t: &'static Messages) -> String {
    match &entry.actor_roles {
        Some(codes) => {
            let roles: Vec<Role> = codes.iter().filter_map(|c| Role::from_code(c)).collect();
            roles_label(&roles, t)
        }
        None if entry.lent => t.insight.access_lent.to_string(),
        None => String::new(),
    }
}

/// What the entry did, with the course or page it concerned.
fn what_of(entry: &repo::AccessEntry, t: &'static Messages) -> String {
    let mut what = t.action_label(&entry.action).to_string();
    if let (Some("course"), Some(course)) = (entry.subject_type.as_deref(), entry.subject_id) {
        what.push_str(&format!(
            " · {} {}",
            t.insight.access_course,
            &course.to_string()[..8]
        ));
    }
    if let Some(page) = entry
        .details
        .get("page")
        .and_then(serde_json::Value::as_i64)
    {
        what.push_str(&format!(" · {} {page}", t.insight.access_page));
    }
    what
}

fn row(entry: repo::AccessEntry, t: &'static Messages) -> AccessRow {
    AccessRow {
        role: role_of(&entry, t),
        what: what_of(&entry, t),
        letter_what: t.action_label(&entry.action).to_string(),
        at: entry.at_local,
        person: entry
            .actor_name
            .unwrap_or_else(|| t.insight.access_unknown.to_string()),
        address: entry
            .client_addr
            .map(|addr| addr.ip().to_string())
            .unwrap_or_default(),
    }
}

pub async fn access_log_page(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let citizen = citizen(&mut tx, id).await?;
    let (query, filter, errors) = read(id, query.as_deref(), t);
    let read_actions = model::read_actions();
    let list = table::load!(query, |limit, offset| repo::access_page(
        &mut tx,
        id,
        &filter,
        &read_actions,
        limit,
        offset
    ));
    let actors = repo::access_actors(&mut tx, id).await?;
    reads.citizen(
        &tx,
        Event::new("citizen_access_log_read")
            .subject("citizen", id)
            .citizen(id)
            .purpose(PURPOSE_ACCESS_REQUEST)
            .details(json!({ "filters": filter_details(&query), "page": list.paging.page })),
        id,
    );
    tx.commit().await?;
    let i = &t.insight;
    let downloads = filter_query(&query);
    let list = list
        .columns(
            t,
            &[
                (i.access_at, None),
                (i.access_person, None),
                (i.access_role, None),
                (i.access_what, None),
                (i.access_address, None),
            ],
        )
        .map(|entry| row(entry, t));
    Ok(AccessView {
        csv_href: format!("/borgere/{id}/adgangslog.csv{downloads}"),
        letter_href: format!("/borgere/{id}/adgangslog.pdf{downloads}"),
        kinds: vec![
            ("read", i.access_kind_read),
            ("change", i.access_kind_change),
        ],
        actors: actors
            .into_iter()
            .map(|actor| (actor.id.to_string(), actor.name))
            .collect(),
        errors,
        page: page
            .titled(format!("{} – {}", i.access_title, citizen.name))
            .crumb(t.common.nav_start, "/")
            .crumb(t.citizens.citizens_title, "/borgere")
            .crumb(citizen.name.clone(), format!("/borgere/{id}"))
            .crumb(i.access_title, format!("/borgere/{id}/adgangslog")),
        name: citizen.name,
        list,
    }
    .into_response())
}

/// Every entry the filters select (up to `EXPORT_LIMIT`), and the filters as read; a
/// date that cannot be read refuses the download rather than widen it.
async fn all_entries(
    tx: &mut TenantTx,
    id: Uuid,
    query: Option<&str>,
    t: &'static Messages,
) -> AppResult<(Vec<AccessRow>, repo::AccessFilter)> {
    let (_, filter, errors) = read(id, query, t);
    if !errors.is_empty() {
        return Err(AppError::Unprocessable);
    }
    let entries =
        repo::access_page(tx, id, &filter, &model::read_actions(), EXPORT_LIMIT, 0).await?;
    Ok((
        entries.into_iter().map(|entry| row(entry, t)).collect(),
        filter,
    ))
}

/// The citizen's access log as CSV, in Danish (or the user's language).
pub async fn access_log_csv(
    mut tx: TenantTx,
    reads: Reads,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = user.locale.messages();
    citizen(&mut tx, id).await?;
    let (rows, _) = all_entries(&mut tx, id, query.as_deref(), t).await?;
    reads.citizen(
        &tx,
        Event::new("citizen_access_log_exported")
            .subject("citizen", id)
            .citizen(id)
            .purpose(PURPOSE_ACCESS_REQUEST)
            .details(json!({ "rows": rows.len() })),
        id,
    );
    tx.commit().await?;
    let i = &t.insight;
    csv_export::download(
        &format!("adgangslog-{id}.csv"),
        &[
            i.access_at,
            i.access_person,
            i.access_role,
            i.access_what,
            i.access_address,
        ],
        rows.into_iter()
            .map(|row| vec![row.at, row.person, row.role, row.what, row.address]),
    )
}

/// The letter to the citizen answering an access request: the entries the filters
/// select, as PDF.
pub async fn access_log_letter(
    mut tx: TenantTx,
    reads: Reads,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = user.locale.messages();
    let citizen = citizen(&mut tx, id).await?;
    let (rows, filter) = all_entries(&mut tx, id, query.as_deref(), t).await?;
    let municipality = repo::municipality_name(&mut tx).await?;
    reads.citizen(
        &tx,
        Event::new("citizen_access_letter_made")
            .subject("citizen", id)
            .citizen(id)
            .purpose(PURPOSE_ACCESS_REQUEST)
            .details(json!({ "rows": rows.len() })),
        id,
    );
    tx.commit().await?;
    let i = &t.insight;
    let period = match (filter.from, filter.to) {
        (None, None) => i.letter_all.to_string(),
        (from, to) => fill(
            i.letter_period,
            &[
                &from.map(clock::format_date).unwrap_or_else(|| "…".into()),
                &to.map(clock::format_date)
                    .unwrap_or_else(|| clock::format_date(clock::today())),
            ],
        ),
    };
    let letter = letter::Letter {
        sender: municipality.clone(),
        date_line: format!("{}: {}", i.letter_date, clock::format_date(clock::today())),
        to_line: format!("{}: {}", i.letter_to, citizen.name),
        subject: i.letter_subject.to_string(),
        before: vec![
            fill(i.letter_intro, &[&municipality]),
            i.letter_names.to_string(),
            period,
        ],
        headings: [
            i.access_at.to_string(),
            i.access_person.to_string(),
            i.access_role.to_string(),
            i.access_what.to_string(),
        ],
        rows: rows
            .into_iter()
            .map(|row| [row.at, row.person, row.role, row.letter_what])
            .collect(),
        empty: i.letter_none.to_string(),
        after: vec![i.letter_closing.to_string()],
        greeting: i.letter_greeting.to_string(),
        page_label: i.letter_page.to_string(),
    };
    let bytes = letter::render(&letter);
    download(
        bytes,
        "application/pdf",
        &format!("indsigt-adgangslog-{id}.pdf"),
    )
}

/// A file download named `filename` (ASCII, no citizen data in it).
fn download(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> AppResult<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .map_err(|err| AppError::Internal(err.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Everything about the citizen, read in the transaction.
/// Everything about the citizen, read in the transaction, and the other people it names
/// (parents and relatives: their names are shown too, so their reads are logged).
async fn load_extract(
    tx: &mut TenantTx,
    id: Uuid,
    user: &CurrentUser,
) -> AppResult<(model::Extract, Vec<Uuid>)> {
    let profile = repo::profile(tx, id).await?.ok_or(AppError::NotFound)?;
    let courses = repo::courses(tx, id).await?;
    let course_ids: Vec<Uuid> = courses.iter().map(|course| course.id).collect();
    let relations = repo::relations(tx, id).await?;
    let others = relations.iter().map(|relation| relation.other_id).collect();
    let read = model::Read {
        consents: repo::consents(tx, id).await?,
        relations,
        conflicts: repo::conflicts(tx, id).await?,
        events: repo::course_events(tx, &course_ids).await?,
        sessions: repo::sessions(tx, &course_ids).await?,
        versions: repo::session_versions(tx, &course_ids).await?,
        tools: repo::tool_answers(tx, &course_ids).await?,
        measurements: repo::measurements(tx, &course_ids).await?,
        courses,
        profile,
    };
    let controller = repo::municipality_name(tx).await?;
    Ok((
        model::extract(read, controller, clock::now(), user.locale),
        others,
    ))
}

fn extract_event(action: &'static str, id: Uuid) -> Event<'static> {
    Event::new(action)
        .subject("citizen", id)
        .citizen(id)
        .purpose(PURPOSE_ACCESS_REQUEST)
}

pub async fn extract_page(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let t = page.t;
    let (extract, others) = load_extract(&mut tx, id, &user).await?;
    reads.citizen(&tx, extract_event("citizen_extract_read", id), id);
    reads.citizens(&tx, extract_event("citizen_extract_read", id), others);
    tx.commit().await?;
    let name = extract.citizen.name.clone();
    Ok(ExtractView {
        facts: views::facts(t, &extract.citizen),
        page: page
            .titled(format!("{} – {name}", t.insight.extract_title))
            .crumb(t.common.nav_start, "/")
            .crumb(t.citizens.citizens_title, "/borgere")
            .crumb(name, format!("/borgere/{id}"))
            .crumb(t.insight.extract_title, format!("/borgere/{id}/udtraek")),
        id,
        x: extract,
    }
    .into_response())
}

pub async fn extract_json(
    mut tx: TenantTx,
    reads: Reads,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (extract, others) = load_extract(&mut tx, id, &user).await?;
    reads.citizen(&tx, extract_event("citizen_extract_exported", id), id);
    reads.citizens(&tx, extract_event("citizen_extract_exported", id), others);
    tx.commit().await?;
    let bytes = serde_json::to_vec_pretty(&extract)
        .map_err(|err| AppError::Internal(format!("writing the extract: {err}")))?;
    download(
        bytes,
        "application/json; charset=utf-8",
        &format!("dataudtraek-{id}.json"),
    )
}

pub async fn check_page(mut tx: TenantTx, addr: ClientAddr, page: Page) -> AppResult<Response> {
    let t = page.t;
    let since = clock::today() - time::Duration::days(CHECK_DAYS - 1);
    let outside = repo::outside_reads(&mut tx, since, 500).await?;
    let days = repo::daily_reads(&mut tx, since, &model::read_actions()).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("access_check_read")
            .purpose(PURPOSE_SUPERVISION)
            .details(json!({ "since": since.to_string() })),
    )
    .await?;
    tx.commit().await?;
    let unusual = model::unusual_days(&days, t.insight.access_unknown);
    Ok(CheckView {
        outside: outside
            .into_iter()
            .map(|read| views::OutsideRow {
                at: read.at_local,
                person: read
                    .actor_name
                    .unwrap_or_else(|| t.insight.access_unknown.to_string()),
                action: t.action_label(&read.action).to_string(),
                short: read.citizen_id.to_string()[..8].to_string(),
                citizen: read.citizen_id,
            })
            .collect(),
        unusual: unusual
            .into_iter()
            .map(|day| views::UnusualRow {
                person: day.actor_name,
                day: clock::format_date(day.day),
                citizens: day.citizens,
                usual: format!("{:.1}", day.usual).replace('.', ","),
            })
            .collect(),
        page: page
            .titled(t.insight.check_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.insight.check_title, "/adgangskontrol"),
    }
    .into_response())
}
