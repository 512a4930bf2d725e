//! The national dashboard: the coordinator's figures per municipality, region and for the
//! country, from aggregates only (migration 0004), with every count below 5 shown as "<5"
//! and no citizen-level data at all.

use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{aggregate, filter_of, pictures, repo, views};
use crate::clock;
use crate::courses::rules::add_months;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::web::Page;
use crate::web::forms::FieldErrors;

#[derive(Debug, Default, Deserialize)]
pub struct NationalQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    /// "" for the country, a region's code, or a municipality's id.
    #[serde(default)]
    pub area: String,
}

/// What the national page and the open statistics (`/api/v1/statistik`) show, read in
/// one national transaction: both serialize the same figures from it.
pub struct NationalData {
    pub rows: aggregate::NationalRows,
    pub per_year: Vec<repo::CoursesPerYear>,
    pub filter: repo::Filter,
}

impl NationalData {
    /// The figures of `area` as the national centre may see them.
    pub fn shown(&self, area: &str) -> (aggregate::National<'_>, Vec<pictures::YearCount>) {
        (
            aggregate::national(&self.rows, area),
            pictures::years(&self.rows, &self.per_year, area),
        )
    }
}

/// Reads the national figures for `query`; a date that cannot be read is an error on its
/// field, and the default is used.
pub async fn load(
    tx: &mut TenantTx,
    t: &'static Messages,
    query: &NationalQuery,
    errors: &mut FieldErrors,
) -> AppResult<NationalData> {
    let today = clock::today();
    let filter = filter_of(t, today, &query.from, &query.to, &query.kind, errors);
    let rated_since = add_months(today, -2);
    let rows = aggregate::NationalRows {
        municipalities: crate::municipalities::repo::areas(tx).await?,
        corps: repo::national_corps(tx).await?,
        courses: repo::national_courses(tx, &filter).await?,
        changes: repo::national_change(tx, &filter).await?,
        completeness: repo::national_completeness(tx, &filter.kind, rated_since).await?,
        monthly: repo::national_progress(tx, &filter).await?,
        background: repo::national_background(tx, &filter, today.year() as i16).await?,
        loans: repo::national_loans(tx, &filter).await?,
    };
    let per_year = repo::national_courses_per_year(tx, &filter.kind).await?;
    Ok(NationalData {
        rows,
        per_year,
        filter,
    })
}

pub async fn national_page(
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<NationalQuery>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let data = load(&mut tx, page.t, &query, &mut errors).await?;
    tx.commit().await?;

    let (national, years) = data.shown(&query.area);
    Ok(views::NationalView::new(page, query, errors, national, years).into_response())
}
