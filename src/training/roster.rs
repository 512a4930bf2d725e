//! The national corps roster ("Korpset"): every mentor and parent coach of every
//! municipality with training, obligation, availability and free capacity — staff data
//! only. The load is a count per member from a function national staff may call; they
//! never read a course. Filters, search, sorting, paging and a CSV export (audited).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::Date;
use uuid::Uuid;

use super::repo;
use crate::audit::{self, Event};
use crate::clock;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::REGIONS;
use crate::vocab::{Role, TrainingStatus, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::csv_export;
use crate::web::table::{self, List, ListQuery, ListSpec, Sort};

const ENDING_MONTHS: [&str; 4] = ["3", "6", "12", "24"];
const SORTS: [&str; 6] = [
    "name",
    "municipality",
    "region",
    "trained_on",
    "corps_until",
    "free",
];

static LIST: ListSpec = ListSpec {
    path: "/korpsoversigt",
    search: true,
    filters: &["municipality", "region", "kind", "status", "free", "ending"],
    sorts: &SORTS,
    default_sort: Sort::asc("municipality"),
    csv: Some("/korpsoversigt.csv"),
    ..ListSpec::PLAIN
};

/// The roster's query, without the filter values it does not know.
fn read(query: Option<&str>, municipalities: &[(Uuid, String)]) -> ListQuery {
    let mut query = LIST.read(query);
    query
        .keep("municipality", |id| {
            municipalities.iter().any(|(m, _)| m.to_string() == id)
        })
        .keep_one_of("region", &REGIONS)
        .keep_one_of("kind", &[Role::Mentor.code(), Role::ParentCoach.code()])
        .keep_one_of("status", TrainingStatus::CODES)
        .keep_one_of("free", &["1"])
        .keep_one_of("ending", &ENDING_MONTHS);
    query
}

/// The day `months` months from `today` (the obligation-ending filter).
fn ending_by(months: &str, today: Date) -> Option<Date> {
    let months: u32 = months.parse().ok()?;
    let mut year = today.year();
    let mut month = u32::from(u8::from(today.month())) + months;
    while month > 12 {
        month -= 12;
        year += 1;
    }
    let month = time::Month::try_from(month as u8).ok()?;
    let day = today.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

pub struct RosterLine {
    pub name: String,
    pub municipality: String,
    pub region: &'static str,
    pub kinds: String,
    pub status: &'static str,
    pub trained: bool,
    pub programme: &'static str,
    pub cohort: String,
    pub trained_on: String,
    pub corps_until: String,
    pub available: bool,
    pub load: i64,
    pub capacity: i16,
    pub free: i64,
}

fn line(row: repo::RosterRow, t: &'static Messages) -> RosterLine {
    let roles: Vec<Role> = row
        .roles
        .into_iter()
        .filter(|r| Role::MEMBER_ROLES.contains(r))
        .collect();
    RosterLine {
        region: t.region_label(&row.region),
        kinds: roles_label(&roles, t),
        status: row.training_status.label(t),
        trained: row.training_status == TrainingStatus::Trained,
        programme: row.trained_programme.map_or("", |p| p.label(&t.apps)),
        cohort: row.cohort.unwrap_or_default(),
        trained_on: row.trained_on.map(clock::format_date).unwrap_or_default(),
        corps_until: row.corps_until.map(clock::format_date).unwrap_or_default(),
        available: row.available,
        load: row.load,
        capacity: row.capacity,
        free: if row.available {
            (i64::from(row.capacity) - row.load).max(0)
        } else {
            0
        },
        name: row.name,
        municipality: row.municipality,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/roster.html")]
struct RosterView {
    page: Page,
    municipalities: Vec<(String, String)>,
    regions: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    endings: Vec<(&'static str, String)>,
    list: List<RosterLine>,
}

fn filter(query: &ListQuery, today: Date) -> repo::RosterFilter<'_> {
    repo::RosterFilter {
        q: query.q(),
        municipality_id: Uuid::parse_str(query.filter("municipality")).ok(),
        region: query.filter("region"),
        kind: query.filter("kind"),
        status: query.filter("status"),
        free_only: query.flag("free"),
        ending_by: ending_by(query.filter("ending"), today),
        today,
    }
}

pub async fn roster_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let tm = &t.training;
    let municipalities = repo::municipalities(&mut tx).await?;
    let query = read(query.as_deref(), &municipalities);
    let filter = filter(&query, clock::today());
    let list = table::load!(query, |limit, offset| repo::roster(
        &mut tx, &filter, query.sort, limit, offset
    ));
    tx.commit().await?;
    let list = list.columns(
        t,
        &[
            (t.common.name, Some("name")),
            (t.common.municipality, Some("municipality")),
            (t.common.region, Some("region")),
            (t.common.roles, None),
            (t.common.training_status, None),
            (tm.cohort, None),
            (t.common.trained_on, Some("trained_on")),
            (tm.corps_until_short, Some("corps_until")),
            (t.common.status, None),
            (tm.free_capacity, Some("free")),
        ],
    );
    Ok(RosterView {
        municipalities: municipalities
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        regions: REGIONS.iter().map(|r| (*r, t.region_label(r))).collect(),
        kinds: Role::MEMBER_ROLES
            .iter()
            .map(|r| (r.code(), r.label(t)))
            .collect(),
        statuses: TrainingStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label(t)))
            .collect(),
        endings: ENDING_MONTHS
            .iter()
            .map(|m| (*m, crate::i18n::fill(tm.within_months, &[m])))
            .collect(),
        list: list.map(|r| line(r, t)),
        page: page
            .titled(tm.roster_title)
            .crumb(t.common.nav_start, "/")
            .crumb(tm.roster_title, "/korpsoversigt"),
    }
    .into_response())
}

/// The columns of the export.
pub const CSV_COLUMNS: &[&str] = &[
    "navn",
    "kommune",
    "region",
    "type",
    "uddannelsesstatus",
    "uddannelse",
    "hold",
    "uddannet",
    "forpligtet_til",
    "aktiv",
    "forløb",
    "kapacitet",
    "ledig_kapacitet",
];

pub async fn roster_csv(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let municipalities = repo::municipalities(&mut tx).await?;
    let query = read(query.as_deref(), &municipalities);
    let rows = repo::roster(
        &mut tx,
        &filter(&query, clock::today()),
        query.sort,
        100_000,
        0,
    )
    .await?;
    let lines: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            let l = line(r, t);
            vec![
                l.name,
                l.municipality,
                l.region.to_string(),
                l.kinds,
                l.status.to_string(),
                l.programme.to_string(),
                l.cohort,
                l.trained_on,
                l.corps_until,
                if l.available {
                    t.common.active
                } else {
                    t.common.inactive
                }
                .to_string(),
                l.load.to_string(),
                l.capacity.to_string(),
                l.free.to_string(),
            ]
        })
        .collect();
    audit::record(
        &mut tx,
        addr,
        Event::new("corps_roster_exported").details(json!({ "rows": lines.len() })),
    )
    .await?;
    tx.commit().await?;
    csv_export::download("korpset.csv", CSV_COLUMNS, lines)
}
