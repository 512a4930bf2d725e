//! The national dashboard: the coordinator's figures per municipality, region and for the
//! country, from aggregates only (migration 0004), protected as `model::Count` describes
//! (docs/statistics.md), over whole months, and no citizen-level data at all.
//!
//! The figures of a period and kind are read once and kept for `figures_max_age` seconds
//! (`cache`): every national page and the open statistics answer from memory, and say when
//! the figures were read.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{aggregate, pictures, repo, views};
use crate::cache::Cached;
use crate::clock;
use crate::courses::rules::add_months;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::state::AppState;
use crate::vocab::CourseKind;
use crate::web::Page;
use crate::web::forms::{FieldErrors, parse_date};

#[derive(Debug, Default, Deserialize)]
pub struct NationalQuery {
    /// The first month, "11-2026" (a date is read as its month).
    #[serde(default)]
    pub from: String,
    /// The last month, included.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    /// "" for the country, a region's code, or a municipality's id.
    #[serde(default)]
    pub area: String,
}

/// The first day of `date`'s month.
pub fn month_of(date: Date) -> Date {
    date.replace_day(1).expect("every month has a first day")
}

/// The last day of `date`'s month.
pub fn end_of_month(date: Date) -> Date {
    add_months(month_of(date), 1)
        .previous_day()
        .expect("a day before")
}

/// A month as typed: "11-2026", "11.2026", "2026-11", or a date in it.
pub fn parse_month(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Some(date) = parse_date(text) {
        return Some(month_of(date));
    }
    let (a, b) = text.split_once(['-', '.', '/'])?;
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    let (year, month) = if a > 12 { (a, b) } else { (b, a) };
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, 1).ok()
}

/// "11-2026": how a month is written in the filter.
pub fn month_text(month: Date) -> String {
    format!("{:02}-{}", u8::from(month.month()), month.year())
}

/// The period of the national figures: whole months only, from the first day of the first
/// month to the last day of the last, and never the month under way (its figures change
/// from one day to the next, and two days' figures subtracted would tell what happened in
/// between). By default the last 12 whole months. A month that cannot be read is an error
/// on its field, and the default is used.
pub fn period_of(
    t: &'static Messages,
    today: Date,
    from: &str,
    to: &str,
    errors: &mut FieldErrors,
) -> (Date, Date) {
    let last_whole = add_months(month_of(today), -1);
    let mut month = |field: &'static str, text: &str, default: Date| {
        if text.trim().is_empty() {
            return default;
        }
        parse_month(text).unwrap_or_else(|| {
            errors.add(field, t.dashboards.month_invalid);
            default
        })
    };
    let last = month("to", to, last_whole).min(last_whole);
    let first = month("from", from, add_months(last, -11));
    if first > last {
        errors.add("from", t.dashboards.period_reversed);
        return (add_months(last, -11), end_of_month(last));
    }
    (first, end_of_month(last))
}

/// The filter of the national figures: the period and a known kind (or every kind).
pub fn filter_of(
    t: &'static Messages,
    today: Date,
    query: &NationalQuery,
    errors: &mut FieldErrors,
) -> repo::Filter {
    let (from, to) = period_of(t, today, &query.from, &query.to, errors);
    repo::Filter {
        kind: CourseKind::from_code(&query.kind)
            .map(|k| k.code().to_string())
            .unwrap_or_default(),
        member_id: None,
        from,
        to,
    }
}

/// The figures as the database has them now.
async fn read(tx: &mut TenantTx, filter: &repo::Filter, today: Date) -> AppResult<Rows> {
    let rated_since = add_months(today, -2);
    Ok(Rows {
        rows: aggregate::NationalRows {
            municipalities: crate::municipalities::repo::areas(tx).await?,
            corps: repo::national_corps(tx).await?,
            courses: repo::national_courses(tx, filter).await?,
            changes: repo::national_change(tx, filter).await?,
            completeness: repo::national_completeness(tx, &filter.kind, rated_since).await?,
            monthly: repo::national_progress(tx, filter).await?,
            background: repo::national_background(tx, filter, today.year() as i16).await?,
            loans: repo::national_loans(tx, filter).await?,
        },
        per_year: repo::national_courses_per_year(tx, &filter.kind).await?,
    })
}

struct Rows {
    rows: aggregate::NationalRows,
    per_year: Vec<repo::CoursesPerYear>,
}

/// The national figures for `query`: from memory when they were read less than
/// `figures_max_age` ago, else read now in `tx`. A month that cannot be read is an error
/// on its field, and the default is used.
pub async fn load(
    state: &AppState,
    tx: &mut TenantTx,
    t: &'static Messages,
    query: &NationalQuery,
    errors: &mut FieldErrors,
) -> AppResult<NationalFigures> {
    let today = clock::today();
    let filter = filter_of(t, today, query, errors);
    let key = format!(
        "national:{}:{}:{}:{}",
        filter.from, filter.to, filter.kind, today
    );
    let max_age = Duration::from_secs(state.config.figures_max_age);
    let Cached { value, read_at } = state
        .cache
        .get_or_load(&key, max_age, || read(tx, &filter, today))
        .await?;
    Ok(NationalFigures {
        rows: value,
        filter,
        read_at,
    })
}

/// What the national page and the open statistics (`/api/v1/statistik`) show: the
/// figures of a period and kind per municipality, read in one national transaction and
/// shared by every request that asks for them while they are fresh.
pub struct NationalFigures {
    rows: std::sync::Arc<Rows>,
    pub filter: repo::Filter,
    /// When the figures were read from the database.
    pub read_at: OffsetDateTime,
}

impl NationalFigures {
    /// The figures of `area` as the national centre may see them.
    pub fn shown(&self, area: &str) -> (aggregate::National<'_>, Vec<pictures::YearCount>) {
        (
            aggregate::national(&self.rows.rows, area),
            pictures::years(&self.rows.rows, &self.rows.per_year, area),
        )
    }
}

pub async fn national_page(
    State(state): State<AppState>,
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<NationalQuery>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let figures = load(&state, &mut tx, page.t, &query, &mut errors).await?;
    tx.commit().await?;

    let (national, years) = figures.shown(&query.area);
    Ok(views::NationalView::new(page, query, errors, &figures, national, years).into_response())
}
