//! The national dashboard: the coordinator's figures per municipality, region and for the
//! country, from aggregates only (migration 0004), with every count below 5 shown as "<5"
//! and no citizen-level data at all.

use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{aggregate, filter_of, repo, views};
use crate::clock;
use crate::courses::rules::add_months;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::Page;
use crate::web::forms::FieldErrors;

#[derive(Debug, Default, Deserialize)]
pub struct NationalQuery {
    #[serde(default)]
    pub(super) from: String,
    #[serde(default)]
    pub(super) to: String,
    #[serde(default)]
    pub(super) kind: String,
    /// "" for the country, a region's code, or a municipality's id.
    #[serde(default)]
    pub(super) area: String,
}

pub async fn national_page(
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<NationalQuery>,
) -> AppResult<Response> {
    let (t, today) = (page.t, clock::today());
    let mut errors = FieldErrors::default();
    let filter = filter_of(t, today, &query.from, &query.to, &query.kind, &mut errors);

    let rated_since = add_months(today, -2);
    let rows = aggregate::NationalRows {
        municipalities: crate::municipalities::repo::areas(&mut tx).await?,
        corps: repo::national_corps(&mut tx).await?,
        courses: repo::national_courses(&mut tx, &filter).await?,
        changes: repo::national_change(&mut tx, &filter).await?,
        completeness: repo::national_completeness(&mut tx, &filter.kind, rated_since).await?,
        monthly: repo::national_progress(&mut tx, &filter).await?,
        background: repo::national_background(&mut tx, &filter, today.year() as i16).await?,
        loans: repo::national_loans(&mut tx, &filter).await?,
    };
    tx.commit().await?;

    let national = aggregate::national(&rows, &query.area);
    Ok(views::NationalView::new(page, query, errors, national).into_response())
}
