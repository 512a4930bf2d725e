//! What the dashboards show: the page structs of the templates, built from the figures of
//! `aggregate` with labels, dates and charts.

use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::OverviewQuery;
use super::aggregate::{BackgroundCell, MonthAverage, National, Overview, Place};
use super::model::{Completeness, ShownFigures, share};
use super::national::{self, NationalFigures, NationalQuery};
use super::pictures::{self, RegionsPicture, YearCount};
use crate::clock;
use crate::i18n::Messages;
use crate::vocab::{CourseKind, CourseState, Scale};
use crate::web::Page;
use crate::web::chart::{self, Bar, Series};
use crate::web::forms::FieldErrors;

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

impl CompletenessRow {
    fn new(name: String, c: Completeness) -> CompletenessRow {
        CompletenessRow {
            name,
            active: c.active,
            rated: share(c.rated, c.active),
            measured: share(c.measured, c.active),
            on_rhythm: share(c.on_rhythm, c.active),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboards/overview.html")]
pub struct OverviewView {
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
    trend: Vec<(String, String, String)>,
    background: Vec<(String, String, i64)>,
    changes: Vec<(&'static str, i64, String)>,
}

impl OverviewView {
    pub fn new(
        page: Page,
        query: OverviewQuery,
        errors: FieldErrors,
        overview: Overview,
    ) -> OverviewView {
        let t = page.t;
        let (trend_chart, trend) = trend(t, &overview.trend);
        OverviewView {
            kinds: kind_options(t),
            members: overview
                .members
                .iter()
                .map(|m| (m.id.to_string(), m.name.clone()))
                .collect(),
            load: overview
                .load
                .iter()
                .map(|l| LoadRow {
                    id: l.id,
                    name: l.name.clone(),
                    load: format!("{} / {}", l.open_courses, l.capacity),
                    overdue: l.overdue,
                    due_soon: l.due_soon,
                    coachings: l.coachings,
                    last_coaching: l.last_coaching.map(clock::format_date).unwrap_or_default(),
                })
                .collect(),
            completeness: overview
                .with_active_courses()
                .map(|m| CompletenessRow::new(m.name.clone(), m.completeness))
                .collect(),
            total: CompletenessRow::new(
                t.dashboards.municipality_total.to_string(),
                overview.total,
            ),
            states: state_labels(t),
            by_kind: overview
                .table
                .rows
                .iter()
                .map(|(kind, cells, sum)| (kind.label(t), cells.clone(), *sum))
                .collect(),
            state_chart: state_chart(
                t,
                overview
                    .table
                    .state_totals
                    .iter()
                    .map(|&(state, n)| (state, Some(n), n.to_string())),
            ),
            trend_chart,
            trend,
            background: overview
                .background
                .iter()
                .map(|b| (band_label(t, &b.band), gender_label(t, b), b.count))
                .collect(),
            changes: overview
                .changes
                .into_iter()
                .map(|c| {
                    let label = match c.measure {
                        Scale::Wellbeing => t.common.wellbeing_who5,
                        Scale::Mastery => t.common.life_mastery,
                    };
                    (label, c.courses, c.change)
                })
                .collect(),
            errors,
            page: page
                .titled(t.dashboards.overview_title)
                .crumb(t.common.nav_start, "/")
                .crumb(t.dashboards.overview_title, "/overblik"),
            query,
        }
    }
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
pub struct NationalView {
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
    trend: Vec<(String, String, String)>,
    background: Vec<(String, String, String)>,
    /// A municipality is chosen: its background is not shown, only regions' and the
    /// country's.
    background_by_region_only: bool,
    /// (municipality, loans received, loans lent, hours logged on loans received).
    loans: Vec<(String, String, String, String)>,
    /// When the figures were read, as a Danish date and time.
    read_at: String,
    regions: RegionsPicture,
    years_chart: String,
    years: Vec<YearCount>,
    /// The filters as a query string, for the CSV and JSON links.
    open_data_query: String,
}

impl NationalView {
    pub fn new(
        page: Page,
        mut query: NationalQuery,
        errors: FieldErrors,
        figures: &NationalFigures,
        national: National<'_>,
        years: Vec<YearCount>,
    ) -> NationalView {
        let t = page.t;
        // The period as read, in the form and in every link, unless the user must correct
        // what they typed.
        if errors.is_empty() {
            query.from = national::month_text(figures.filter.from);
            query.to = national::month_text(figures.filter.to);
        }
        let regions = pictures::regions_picture(t, &pictures::regions(&national));
        let rows: Vec<AreaRow> = national
            .lines
            .into_iter()
            .map(|line| AreaRow {
                area: line.place.code(),
                name: place_name(t, line.place),
                level: line.place.level(),
                figures: line.figures,
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
        let (trend_chart, trend) = trend(t, &national.trend);
        NationalView {
            kinds: kind_options(t),
            areas,
            area_name: place_name(t, national.chosen.unwrap_or(Place::Country)),
            rows,
            states: state_labels(t),
            by_kind: national
                .table
                .rows
                .iter()
                .map(|(kind, cells, sum)| (kind.label(t), cells.clone(), sum.clone()))
                .collect(),
            state_chart: state_chart(t, national.table.state_totals.iter().cloned()),
            trend_chart,
            trend,
            background_by_region_only: national.background.is_none(),
            background: national
                .background
                .iter()
                .flatten()
                .map(|b| (band_label(t, &b.band), gender_label(t, b), b.count.clone()))
                .collect(),
            loans: national
                .loans
                .iter()
                .map(|(m, l)| {
                    (
                        m.name.clone(),
                        l.received.clone(),
                        l.lent.clone(),
                        crate::loans::model::hours(l.hours),
                    )
                })
                .collect(),
            regions,
            years_chart: pictures::years_chart(t, &years),
            read_at: clock::format_datetime(figures.read_at),
            years,
            open_data_query: serde_urlencoded::to_string([
                ("from", &query.from),
                ("to", &query.to),
                ("kind", &query.kind),
                ("area", &query.area),
            ])
            .unwrap_or_default(),
            errors,
            page: page
                .titled(t.dashboards.national_overview_title)
                .crumb(t.common.nav_start, "/")
                .crumb(t.dashboards.national_overview_title, "/nationalt-overblik"),
            query,
        }
    }
}

fn place_name(t: &'static Messages, place: Place<'_>) -> String {
    match place {
        Place::Municipality(m) => m.name.clone(),
        Place::Region(region) => t.region_label(region).to_string(),
        Place::Country => t.dashboards.whole_country.to_string(),
    }
}

fn kind_options(t: &'static Messages) -> Vec<(&'static str, &'static str)> {
    CourseKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(t)))
        .collect()
}

fn state_labels(t: &'static Messages) -> Vec<&'static str> {
    CourseState::ALL.iter().map(|s| s.label(t)).collect()
}

fn band_label(t: &'static Messages, band: &str) -> String {
    match band {
        "under_18" => t.dashboards.age_under_18.to_string(),
        "18_to_24" => t.dashboards.age_18_to_24.to_string(),
        "25_plus" => t.dashboards.age_25_plus.to_string(),
        _ => t.common.not_stated.to_string(),
    }
}

fn gender_label<T>(t: &'static Messages, cell: &BackgroundCell<T>) -> String {
    crate::vocab::label(t, &cell.gender)
}

/// The courses per state as a bar chart: (state, the count if it may be drawn, the count
/// as shown). A suppressed count ("<5") is a bar without height.
fn state_chart(
    t: &'static Messages,
    totals: impl IntoIterator<Item = (CourseState, Option<i64>, String)>,
) -> String {
    let bars: Vec<Bar> = totals
        .into_iter()
        .map(|(state, exact, shown)| Bar {
            label: state.label(t).to_string(),
            value: exact.map(|n| n as f64),
            shown,
        })
        .collect();
    chart::bar_chart(
        "state-chart",
        t.dashboards.courses_by_state,
        &describe_bars(&bars),
        &bars,
    )
}

/// The bars as one sentence for screen readers: "Aktive: 12, Afsluttede: <5".
fn describe_bars(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The average progress rating per month as a chart (when there are two months or more)
/// and as rows (month, average, number of ratings).
fn trend(t: &'static Messages, months: &[MonthAverage]) -> (String, Vec<(String, String, String)>) {
    let series = Series {
        label: t.common.progress_rating.to_string(),
        points: months.iter().map(|m| (m.month, m.average)).collect(),
    };
    let rows: Vec<(String, String, String)> = months
        .iter()
        .map(|m| {
            (
                month_label(m.month),
                format!("{:.1}", m.average),
                m.ratings.clone(),
            )
        })
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
