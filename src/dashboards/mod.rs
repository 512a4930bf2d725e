//! The coordinator's overview (coordinator guide §3.2): data completeness per member and
//! for the municipality, courses by kind and state, the background of the citizens, and
//! the average change in wellbeing and life mastery with the number of courses behind it.
//! Filters by period, kind and member.

pub mod model;
pub mod national;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::citizens::PURPOSE_CASEWORK;
use crate::courses::due::facts_of;
use crate::courses::rules::{self, Urgency};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::{CourseKind, CourseState};
use crate::web::Page;
use crate::web::chart::{self, Bar, Series};
use crate::web::client::ClientAddr;
use crate::web::forms::{FieldErrors, parse_date};
use crate::web::routes::{COORDINATOR, NATIONAL, Route};
use crate::{clock, corps};
use model::Completeness;

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/overblik", COORDINATOR, overview_page).menu(40, |t| t.common.nav_overview),
        Route::get("/nationalt-overblik", NATIONAL, national::national_page)
            .menu(50, |t| t.common.nav_national_overview),
    ]
}

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    member: String,
}

/// A member's load and what the coordinator should look at: due and overdue items on
/// their courses and the monthly coaching.
pub struct LoadRow {
    id: Uuid,
    name: String,
    load: String,
    overdue: usize,
    due_soon: usize,
    coachings: i64,
    last_coaching: String,
}

pub struct CompletenessRow {
    name: String,
    active: i64,
    rated: String,
    measured: String,
    on_rhythm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboards/overview.html")]
struct OverviewView {
    page: Page,
    query: OverviewQuery,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    load: Vec<LoadRow>,
    completeness: Vec<CompletenessRow>,
    total: CompletenessRow,
    states: Vec<&'static str>,
    by_kind: Vec<(&'static str, Vec<i64>, i64)>,
    state_chart: String,
    trend_chart: String,
    trend: Vec<(String, String, i64)>,
    background: Vec<(String, String, i64)>,
    changes: Vec<(&'static str, i64, String)>,
}

fn row(name: String, c: Completeness) -> CompletenessRow {
    let share = |part| {
        Completeness::percent(part, c.active)
            .map(|p| format!("{p} %"))
            .unwrap_or_else(|| "–".into())
    };
    CompletenessRow {
        name,
        active: c.active,
        rated: share(c.rated),
        measured: share(c.measured),
        on_rhythm: share(c.on_rhythm),
    }
}

/// The age bands in their natural order, for sorting.
pub(crate) const BANDS: [&str; 4] = ["under_18", "18_to_24", "25_plus", "unknown"];

pub(crate) fn band_order(band: &str) -> usize {
    BANDS.iter().position(|b| *b == band).unwrap_or(BANDS.len())
}

pub(crate) fn band_label(t: &'static Messages, band: &str) -> String {
    match band {
        "under_18" => t.dashboards.age_under_18.to_string(),
        "18_to_24" => t.dashboards.age_18_to_24.to_string(),
        "25_plus" => t.dashboards.age_25_plus.to_string(),
        _ => t.common.not_stated.to_string(),
    }
}

pub async fn overview_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Query(query): Query<OverviewQuery>,
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
    let filter = repo::Filter {
        kind: CourseKind::from_code(&query.kind)
            .map(|k| k.code().to_string())
            .unwrap_or_default(),
        member_id: query.member.parse::<Uuid>().ok(),
        from: date(
            "from",
            &query.from,
            today.replace_year(today.year() - 1).unwrap_or(today),
        ),
        to: date("to", &query.to, today),
    };

    // Completeness, per member and in all, over the open courses.
    let members = corps::repo::options(&mut tx).await?;
    let mut per_member: Vec<(Uuid, String, Completeness, [usize; 2])> = members
        .iter()
        .map(|m| (m.id, m.name.clone(), Completeness::default(), [0, 0]))
        .collect();
    let mut total = Completeness::default();
    for course in crate::courses::repo::open_course_facts(&mut tx, filter.member_id).await? {
        let Some(facts) = facts_of(&course) else {
            continue;
        };
        if !filter.kind.is_empty() && facts.kind.code() != filter.kind {
            continue;
        }
        total.add(&facts, today);
        if let Some(entry) = per_member
            .iter_mut()
            .find(|(id, ..)| Some(*id) == course.member_id)
        {
            entry.2.add(&facts, today);
            for item in rules::due_items(&facts, today) {
                match item.urgency {
                    Urgency::Overdue => entry.3[0] += 1,
                    Urgency::DueSoon => entry.3[1] += 1,
                    Urgency::Warning => {}
                }
            }
        }
    }
    let loads = repo::member_load(&mut tx, &filter).await?;
    let load = per_member
        .iter()
        .filter(|(id, ..)| filter.member_id.is_none_or(|chosen| chosen == *id))
        .filter_map(|(id, name, _, due)| {
            let l = loads.iter().find(|l| l.member_id == *id)?;
            Some(LoadRow {
                id: *id,
                name: name.clone(),
                load: format!("{} / {}", l.open_courses, l.capacity),
                overdue: due[0],
                due_soon: due[1],
                coachings: l.coachings,
                last_coaching: l.last_coaching.map(clock::format_date).unwrap_or_default(),
            })
        })
        .collect();

    let counts = repo::courses_by_kind_and_state(&mut tx, &filter).await?;
    let states: Vec<CourseState> = CourseState::ALL.to_vec();
    let by_kind = CourseKind::ALL
        .iter()
        .map(|kind| {
            let cells: Vec<i64> = states
                .iter()
                .map(|state| {
                    counts
                        .iter()
                        .filter(|c| c.kind == kind.code() && c.state == state.code())
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            let sum = cells.iter().sum();
            (kind.label(t), cells, sum)
        })
        .collect();
    let state_totals: Vec<Bar> = states
        .iter()
        .map(|state| {
            let n: i64 = counts
                .iter()
                .filter(|c| c.state == state.code())
                .map(|c| c.count)
                .sum();
            Bar {
                label: state.label(t).to_string(),
                value: Some(n as f64),
                shown: n.to_string(),
            }
        })
        .collect();
    let state_chart = chart::bar_chart(
        "state-chart",
        t.dashboards.courses_by_state,
        &describe_bars(&state_totals),
        &state_totals,
    );
    let monthly = repo::monthly_ratings(&mut tx, &filter).await?;
    let (trend_chart, trend) = progress_trend(t, &monthly, 1);
    let mut background = repo::background(&mut tx, &filter, today.year() as i16).await?;
    background.sort_by(|a, b| {
        (band_order(&a.age_band), &a.gender).cmp(&(band_order(&b.age_band), &b.gender))
    });
    let background = background
        .into_iter()
        .map(|b| {
            (
                band_label(t, &b.age_band),
                crate::vocab::label(
                    t,
                    if b.gender == "unknown" {
                        "other"
                    } else {
                        &b.gender
                    },
                ),
                b.count,
            )
        })
        .collect();
    let changes = repo::pre_post_change(&mut tx, &filter)
        .await?
        .into_iter()
        .map(|c| {
            let label = if c.measure == "wellbeing" {
                t.common.wellbeing_who5
            } else {
                t.common.life_mastery
            };
            let change = c
                .average_change
                .map(|v| format!("{}{:.1}", if v > 0.0 { "+" } else { "" }, v))
                .unwrap_or_default();
            (label, c.courses, change)
        })
        .collect();
    audit::record(
        &mut tx,
        addr,
        Event::new("course_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "page": "overview" })),
    )
    .await?;
    tx.commit().await?;

    Ok(OverviewView {
        kinds: CourseKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(t)))
            .collect(),
        members: members
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        load,
        completeness: per_member
            .into_iter()
            .filter(|(_, _, c, _)| c.active > 0)
            .map(|(_, name, c, _)| row(name, c))
            .collect(),
        total: row(t.dashboards.municipality_total.to_string(), total),
        states: states.iter().map(|s| s.label(t)).collect(),
        by_kind,
        state_chart,
        trend_chart,
        trend,
        background,
        changes,
        errors,
        page: page
            .titled(t.dashboards.overview_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.dashboards.overview_title, "/overblik"),
        query,
    }
    .into_response())
}

/// The bars as one sentence for screen readers: "Aktive: 12, Afsluttede: <5".
pub fn describe_bars(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The average progress rating per month as a chart and as rows (month, average, number
/// of ratings). Months with fewer than `smallest` courses rated are left out of both, so
/// the national dashboard can hide small months.
pub fn progress_trend(
    t: &'static Messages,
    monthly: &[repo::MonthlyRatings],
    smallest: i64,
) -> (String, Vec<(String, String, i64)>) {
    // (month, courses rated, ratings, sum of ratings)
    let mut months: Vec<(time::Date, i64, i64, f64)> = Vec::new();
    for m in monthly {
        match months.iter_mut().find(|(month, ..)| *month == m.month) {
            Some(entry) => {
                entry.1 += m.courses;
                entry.2 += m.ratings;
                entry.3 += m.total;
            }
            None => months.push((m.month, m.courses, m.ratings, m.total)),
        }
    }
    months.retain(|(_, courses, ..)| *courses >= smallest);
    let mut months: Vec<(time::Date, i64, f64)> = months
        .into_iter()
        .map(|(month, _, n, sum)| (month, n, sum))
        .collect();
    months.sort_by_key(|(month, ..)| *month);
    let series = Series {
        label: t.common.progress_rating.to_string(),
        points: months
            .iter()
            .map(|(month, n, sum)| (*month, sum / *n as f64))
            .collect(),
    };
    let rows: Vec<(String, String, i64)> = months
        .iter()
        .map(|(month, n, sum)| (month_label(*month), format!("{:.1}", sum / *n as f64), *n))
        .collect();
    let description = rows
        .iter()
        .map(|(month, average, _)| format!("{month}: {average}"))
        .collect::<Vec<_>>()
        .join(", ");
    let svg = if series.points.len() > 1 {
        chart::line_chart(
            "trend-chart",
            t.dashboards.trend_title,
            &description,
            std::slice::from_ref(&series),
            1.0,
            10.0,
        )
    } else {
        String::new()
    };
    (svg, rows)
}

/// "11.2026": months are written as month and year, as on Danish forms.
fn month_label(month: time::Date) -> String {
    format!("{:02}.{}", u8::from(month.month()), month.year())
}
