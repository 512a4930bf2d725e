//! The national dashboard: the coordinator's figures per municipality, region and for the
//! country, from aggregates only (migration 0004), with every count below 5 shown as "<5"
//! and no citizen-level data at all.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{AreaFigures, ChangeSum, ShownFigures, suppressed};
use super::{band_label, band_order, describe_bars, progress_trend, repo};
use crate::clock;
use crate::courses::rules::add_months;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::municipalities::model::REGIONS;
use crate::vocab::{CourseKind, CourseState};
use crate::web::Page;
use crate::web::chart::{self, Bar};
use crate::web::forms::{FieldErrors, parse_date};

#[derive(Debug, Default, Deserialize)]
pub struct NationalQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
    /// "" for the country, a region's code, or a municipality's id.
    #[serde(default)]
    area: String,
}

pub struct AreaRow {
    /// The `area` value that selects this row's area ("" for the country).
    area: String,
    name: String,
    level: &'static str,
    figures: ShownFigures,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboards/national.html")]
struct NationalView {
    page: Page,
    query: NationalQuery,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    areas: Vec<(String, String)>,
    area_name: String,
    rows: Vec<AreaRow>,
    states: Vec<&'static str>,
    by_kind: Vec<(&'static str, Vec<String>, String)>,
    state_chart: String,
    trend_chart: String,
    trend: Vec<(String, String, i64)>,
    background: Vec<(String, String, String)>,
    /// (municipality, loans received, loans lent, hours logged on loans received).
    loans: Vec<(String, i64, i64, String)>,
}

pub async fn national_page(
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<NationalQuery>,
) -> AppResult<Response> {
    let t = page.t;
    let today = clock::today();
    let mut errors = FieldErrors::default();
    let mut date = |field: &'static str, text: &str, default| {
        if text.trim().is_empty() {
            return default;
        }
        parse_date(text).unwrap_or_else(|| {
            errors.add(field, t.common.date_invalid);
            default
        })
    };
    let kind = CourseKind::from_code(&query.kind)
        .map(|k| k.code().to_string())
        .unwrap_or_default();
    let filter = repo::Filter {
        kind: kind.clone(),
        member_id: None,
        from: date(
            "from",
            &query.from,
            today.replace_year(today.year() - 1).unwrap_or(today),
        ),
        to: date("to", &query.to, today),
    };

    let municipalities = repo::municipalities(&mut tx).await?;
    let corps = repo::national_corps(&mut tx).await?;
    let courses = repo::national_courses(&mut tx, &filter).await?;
    let changes = repo::national_change(&mut tx, &filter).await?;
    let completeness = repo::national_completeness(&mut tx, &kind, add_months(today, -2)).await?;
    let monthly = repo::national_progress(&mut tx, &filter).await?;
    let background = repo::national_background(&mut tx, &filter, today.year() as i16).await?;
    let loan_figures = repo::national_loans(&mut tx, &filter).await?;
    tx.commit().await?;

    // Each municipality's figures, unsuppressed; areas add them up before showing.
    let figures_of = |id: Uuid| {
        let mut f = AreaFigures::default();
        if let Some(c) = corps.iter().find(|c| c.municipality_id == id) {
            f.members = c.members;
            f.trained = c.trained;
        }
        f.courses = courses
            .iter()
            .filter(|c| c.municipality_id == id)
            .map(|c| c.courses)
            .sum();
        if let Some(c) = completeness.iter().find(|c| c.municipality_id == id) {
            f.active = c.active;
            f.rated = c.rated;
            f.measured = c.measured;
        }
        for c in changes.iter().filter(|c| c.municipality_id == id) {
            let sum = ChangeSum {
                courses: c.courses,
                total: c.total_change,
            };
            match c.measure.as_str() {
                "wellbeing" => f.wellbeing.add(sum),
                _ => f.mastery.add(sum),
            }
        }
        f
    };
    let mut rows = Vec::new();
    let mut country = AreaFigures::default();
    for region in REGIONS {
        let members: Vec<&repo::Area> = municipalities
            .iter()
            .filter(|m| m.region == region)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut region_figures = AreaFigures::default();
        let mut municipality_rows = Vec::new();
        for m in members {
            let f = figures_of(m.id);
            region_figures.add(&f);
            municipality_rows.push(AreaRow {
                area: m.id.to_string(),
                name: m.name.clone(),
                level: "municipality",
                figures: f.shown(),
            });
        }
        country.add(&region_figures);
        rows.push(AreaRow {
            area: region.to_string(),
            name: t.region_label(region).to_string(),
            level: "region",
            figures: region_figures.shown(),
        });
        rows.extend(municipality_rows);
    }
    rows.push(AreaRow {
        area: String::new(),
        name: t.dashboards.whole_country.to_string(),
        level: "country",
        figures: country.shown(),
    });

    // The chosen area's details: which municipalities it covers (an unknown area is the
    // whole country, as its heading says).
    let in_chosen = |m: &&repo::Area| m.region == query.area || m.id.to_string() == query.area;
    let known = municipalities.iter().any(|m| in_chosen(&m));
    let chosen: Vec<Uuid> = municipalities
        .iter()
        .filter(|m| !known || in_chosen(m))
        .map(|m| m.id)
        .collect();
    let area_name = rows
        .iter()
        .find(|r| known && r.area == query.area)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| t.dashboards.whole_country.to_string());
    let in_area = |id: &Uuid| chosen.contains(id);
    let states = CourseState::ALL.to_vec();
    let count = |kind: Option<CourseKind>, state: CourseState| -> i64 {
        courses
            .iter()
            .filter(|c| in_area(&c.municipality_id))
            .filter(|c| kind.is_none_or(|k| c.kind == k.code()) && c.state == state.code())
            .map(|c| c.courses)
            .sum()
    };
    let by_kind = CourseKind::ALL
        .iter()
        .map(|k| {
            let cells: Vec<i64> = states.iter().map(|s| count(Some(*k), *s)).collect();
            let sum = cells.iter().sum();
            (
                k.label(t),
                cells.into_iter().map(suppressed).collect(),
                suppressed(sum),
            )
        })
        .collect();
    let bars: Vec<Bar> = states
        .iter()
        .map(|s| {
            let n = count(None, *s);
            let shown = suppressed(n);
            Bar {
                label: s.label(t).to_string(),
                value: (shown == n.to_string()).then_some(n as f64),
                shown,
            }
        })
        .collect();
    let state_chart = chart::bar_chart(
        "state-chart",
        t.dashboards.courses_by_state,
        &describe_bars(&bars),
        &bars,
    );
    let area_monthly: Vec<repo::MonthlyRatings> = monthly
        .into_iter()
        .filter(|m| in_area(&m.municipality_id))
        .collect();
    let (trend_chart, trend) = progress_trend(t, &area_monthly, super::model::SMALLEST_SHOWN);
    let mut cells: Vec<(String, String, i64)> = Vec::new();
    for b in background.iter().filter(|b| in_area(&b.municipality_id)) {
        // "Not stated" is shown as "other": merged before suppression, not after.
        let gender = if b.gender == "unknown" {
            "other"
        } else {
            b.gender.as_str()
        };
        match cells
            .iter_mut()
            .find(|(band, g, _)| *band == b.age_band && g == gender)
        {
            Some(cell) => cell.2 += b.courses,
            None => cells.push((b.age_band.clone(), gender.to_string(), b.courses)),
        }
    }
    cells.sort_by(|a, b| (band_order(&a.0), &a.1).cmp(&(band_order(&b.0), &b.1)));
    let background = cells
        .into_iter()
        .map(|(band, gender, n)| {
            (
                band_label(t, &band),
                crate::vocab::label(t, &gender),
                suppressed(n),
            )
        })
        .collect();

    let loans = municipalities
        .iter()
        .filter(|m| chosen.contains(&m.id))
        .filter_map(|m| {
            let l = loan_figures.iter().find(|l| l.municipality_id == m.id)?;
            Some((
                m.name.clone(),
                l.received,
                l.lent,
                crate::loans::model::hours(l.hours),
            ))
        })
        .collect();
    let mut areas = vec![(String::new(), t.dashboards.whole_country.to_string())];
    areas.extend(rows.iter().filter(|r| r.level != "country").map(|r| {
        let indent = if r.level == "municipality" {
            "– "
        } else {
            ""
        };
        (r.area.clone(), format!("{indent}{}", r.name))
    }));
    Ok(NationalView {
        kinds: CourseKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(t)))
            .collect(),
        areas,
        area_name,
        rows,
        states: states.iter().map(|s| s.label(t)).collect(),
        by_kind,
        state_chart,
        trend_chart,
        trend,
        background,
        loans,
        errors,
        page: page
            .titled(t.dashboards.national_overview_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.dashboards.national_overview_title, "/nationalt-overblik"),
        query,
    }
    .into_response())
}
