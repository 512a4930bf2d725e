//! CSV exports of the municipality's courses, sessions and measurements for the
//! coordinator (PRODUCT.md: "export of all of it as CSV"). One row per course, per session
//! and per measurement, documented columns, UTF-8 with BOM for Excel, formula-safe. No
//! citizen names and no session notes leave Korps this way; the course id joins the files.
//! Every export is in the audit log.

pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::audit::{self, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::csv_export;
use crate::web::routes::{COORDINATOR, Route};
use uuid::Uuid;

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/eksport", COORDINATOR, index_page).menu(170, |t| t.common.nav_exports),
        Route::get("/eksport/{file}", COORDINATOR, download),
    ]
}

/// The files: (name, the columns with their meaning as (column, description) pairs).
pub const FILES: &[(&str, &[(&str, &str)])] = &[
    (
        "forloeb.csv",
        &[
            ("forloeb_id", "Forløbets id (samme i alle filer)"),
            ("type", "mentor, parent_coaching eller relatives_network"),
            (
                "status",
                "referred, matched, pre_meeting, active, ending, follow_up, closed eller cancelled",
            ),
            (
                "mentor_forældrecoach",
                "Navnet på den tildelte mentor eller forældrecoach",
            ),
            ("visiteret", "Dato (dd-mm-åååå)"),
            ("matchet", "Dato"),
            ("startet", "Dato"),
            ("afsluttet", "Dato"),
            ("lukket", "Dato"),
            ("mål_nået", "yes, partly eller no"),
            ("deltagere", "Antal borgere i forløbet"),
            ("fødselsår", "Første deltagers fødselsår"),
            ("køn", "Første deltagers køn"),
            ("sessioner", "Antal registrerede sessioner"),
        ],
    ),
    (
        "sessioner.csv",
        &[
            ("forloeb_id", "Forløbets id"),
            ("dato", "Dato (dd-mm-åååå)"),
            ("minutter", "Varighed i minutter"),
            (
                "type",
                "pre_meeting, session, network_meeting, follow_up, phone_online eller professionals_meeting",
            ),
            ("redskaber", "LAT-redskaber brugt, adskilt af |"),
        ],
    ),
    (
        "maalinger.csv",
        &[
            ("forloeb_id", "Forløbets id"),
            (
                "måling",
                "progress (1–10), risk_mentor/risk_citizen/risk_parents (0–10), wellbeing_pre/post og mastery_pre/post (0–100)",
            ),
            ("værdi", "Tallet"),
            ("dato", "Dato (dd-mm-åååå)"),
        ],
    ),
];

#[derive(Template, WebTemplate)]
#[template(path = "exports/index.html")]
struct IndexView {
    page: Page,
    files: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

pub async fn index_page(page: Page) -> Response {
    let t = page.t;
    IndexView {
        page: page
            .titled(t.exports.exports_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.exports.exports_title, "/eksport"),
        files: FILES,
    }
    .into_response()
}

fn date(value: Option<time::Date>) -> String {
    value.map(clock::format_date).unwrap_or_default()
}

pub async fn download(
    _user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let (name, columns) = FILES
        .iter()
        .find(|(name, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    let header: Vec<&str> = columns.iter().map(|(column, _)| *column).collect();
    let rows: Vec<Vec<String>> = match *name {
        "forloeb.csv" => repo::courses(&mut tx)
            .await?
            .into_iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.kind.code().to_string(),
                    c.state.code().to_string(),
                    c.member.unwrap_or_default(),
                    clock::format_date(c.referred_on),
                    date(c.matched_on),
                    date(c.started_on),
                    date(c.ended_on),
                    date(c.closed_on),
                    c.goals_reached
                        .map(|goals| goals.code().to_string())
                        .unwrap_or_default(),
                    c.participants.to_string(),
                    c.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                    c.gender.unwrap_or_default(),
                    c.sessions.to_string(),
                ]
            })
            .collect(),
        "sessioner.csv" => repo::sessions(&mut tx)
            .await?
            .into_iter()
            .map(|s| {
                vec![
                    s.course_id.to_string(),
                    clock::format_date(s.held_on),
                    s.duration_minutes.to_string(),
                    s.kind.code().to_string(),
                    s.tools.join("|"),
                ]
            })
            .collect(),
        _ => repo::measurements(&mut tx)
            .await?
            .into_iter()
            .map(|m| {
                vec![
                    m.course_id.to_string(),
                    m.kind.code().to_string(),
                    m.value.to_string(),
                    clock::format_date(m.measured_on),
                ]
            })
            .collect(),
    };
    let event = Event::new("data_exported")
        .purpose(PURPOSE_CASEWORK)
        .details(json!({ "file": name, "rows": rows.len() }));
    audit::record(&mut tx, addr, event.clone()).await?;
    // Each row is about a course and its citizens (by id, birth year and gender): the
    // export is a read of every citizen in the courses it holds.
    if let Some(own) = tx.scope().municipality_id() {
        let mut shown: Vec<(Uuid, Uuid)> = rows
            .iter()
            .filter_map(|row| row.first()?.parse::<Uuid>().ok())
            .map(|id| (id, own))
            .collect();
        shown.sort();
        shown.dedup();
        crate::courses::log_courses_shown(&mut tx, &reads, event, &shown).await?;
    }
    tx.commit().await?;
    csv_export::download(name, &header, rows)
}
