//! The national corps roster ("Korpset"): every mentor and parent coach of every
//! municipality with training, obligation, availability and free capacity — staff data
//! only. The load is a count per member from a function national staff may call; they
//! never read a course. Filters, search, sorting, paging and a CSV export (audited).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use time::Date;
use uuid::Uuid;

use super::{programme_label, repo};
use crate::audit::{self, Event};
use crate::clock;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::REGIONS;
use crate::vocab::{Role, parse_roles, roles_label};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::csv_export;
use crate::web::table::{self, Column, ListUrl, PER_PAGE, Paging, Sort};

const STATUSES: [&str; 3] = ["untrained", "in_training", "trained"];
const ENDING_MONTHS: [&str; 4] = ["3", "6", "12", "24"];
const SORTS: [&str; 6] = [
    "name",
    "municipality",
    "region",
    "trained_on",
    "corps_until",
    "free",
];

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    free: String,
    #[serde(default)]
    ending: String,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
}

impl RosterQuery {
    /// Drops whatever is not a known filter value.
    fn clean(&mut self, municipalities: &[(Uuid, String)]) {
        self.q = self.q.trim().chars().take(100).collect();
        if !municipalities
            .iter()
            .any(|(id, _)| id.to_string() == self.municipality)
        {
            self.municipality.clear();
        }
        if !REGIONS.contains(&self.region.as_str()) {
            self.region.clear();
        }
        if ![Role::Mentor.code(), Role::ParentCoach.code()].contains(&self.kind.as_str()) {
            self.kind.clear();
        }
        if !STATUSES.contains(&self.status.as_str()) {
            self.status.clear();
        }
        if self.free != "1" {
            self.free.clear();
        }
        if !ENDING_MONTHS.contains(&self.ending.as_str()) {
            self.ending.clear();
        }
    }

    fn sort(&self) -> Sort {
        Sort::parse(
            self.sort.as_deref(),
            self.dir.as_deref(),
            &SORTS,
            Sort {
                column: "municipality",
                descending: false,
            },
        )
    }

    fn ending_by(&self, today: Date) -> Option<Date> {
        let months: u32 = self.ending.parse().ok()?;
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

fn status_label(t: &'static Messages, status: &str) -> &'static str {
    match status {
        "trained" => t.common.training_trained,
        "in_training" => t.common.training_in_training,
        _ => t.common.training_untrained,
    }
}

fn line(row: repo::RosterRow, t: &'static Messages) -> RosterLine {
    let roles: Vec<Role> = parse_roles(&row.roles)
        .into_iter()
        .filter(|r| Role::MEMBER_ROLES.contains(r))
        .collect();
    RosterLine {
        region: t.region_label(&row.region),
        kinds: roles_label(&roles, t),
        status: status_label(t, &row.training_status),
        trained: row.training_status == "trained",
        programme: row
            .trained_programme
            .as_deref()
            .map_or("", |p| programme_label(p, t)),
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
    filter: RosterQuery,
    municipalities: Vec<(String, String)>,
    regions: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    endings: Vec<(&'static str, String)>,
    rows: Vec<RosterLine>,
    columns: Vec<Column>,
    paging: Paging,
    url: ListUrl,
    csv_href: String,
}

fn filter<'a>(query: &'a RosterQuery, today: Date) -> repo::RosterFilter<'a> {
    repo::RosterFilter {
        q: &query.q,
        municipality_id: Uuid::parse_str(&query.municipality).ok(),
        region: &query.region,
        kind: &query.kind,
        status: &query.status,
        free_only: query.free == "1",
        ending_by: query.ending_by(today),
        today,
    }
}

fn params<'a>(query: &'a RosterQuery, sort: &'a Sort) -> Vec<(&'static str, &'a str)> {
    vec![
        ("q", &query.q),
        ("municipality", &query.municipality),
        ("region", &query.region),
        ("kind", &query.kind),
        ("status", &query.status),
        ("free", &query.free),
        ("ending", &query.ending),
        ("sort", sort.column),
        ("dir", sort.dir()),
    ]
}

pub async fn roster_page(
    mut tx: TenantTx,
    page: Page,
    Query(mut query): Query<RosterQuery>,
) -> AppResult<Response> {
    let t = page.t;
    let tm = &t.training;
    let municipalities = repo::municipalities(&mut tx).await?;
    query.clean(&municipalities);
    let sort = query.sort();
    let paging = Paging::new(query.page, PER_PAGE);
    let today = clock::today();
    let rows = repo::roster(
        &mut tx,
        &filter(&query, today),
        sort,
        paging.limit(),
        paging.offset(),
    )
    .await?;
    tx.commit().await?;
    let total = rows.first().map_or(0, |row| row.total);
    let page_number = paging.page.to_string();
    let mut list_params = params(&query, &sort);
    let csv_href = ListUrl::new("/korpsoversigt.csv", &list_params).with("page", "");
    list_params.push(("page", &page_number));
    let url = ListUrl::new("/korpsoversigt", &list_params);
    let columns = table::columns(
        &url,
        sort,
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
        t,
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
        statuses: STATUSES.iter().map(|s| (*s, status_label(t, s))).collect(),
        endings: ENDING_MONTHS
            .iter()
            .map(|m| (*m, crate::i18n::fill(tm.within_months, &[m])))
            .collect(),
        rows: rows.into_iter().map(|r| line(r, t)).collect(),
        page: page
            .titled(tm.roster_title)
            .crumb(t.common.nav_start, "/")
            .crumb(tm.roster_title, "/korpsoversigt"),
        filter: query,
        columns,
        paging: paging.with_total(total),
        url,
        csv_href,
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
    Query(mut query): Query<RosterQuery>,
) -> AppResult<Response> {
    let t = page.t;
    let municipalities = repo::municipalities(&mut tx).await?;
    query.clean(&municipalities);
    let rows = repo::roster(
        &mut tx,
        &filter(&query, clock::today()),
        query.sort(),
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
