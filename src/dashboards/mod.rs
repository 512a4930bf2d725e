//! The coordinator's overview (coordinator guide §3.2): data completeness per member and
//! for the municipality, courses by kind and state, the background of the citizens, and
//! the average change in wellbeing and life mastery with the number of courses behind it.
//! Filters by period, kind and member.

pub mod aggregate;
#[cfg(test)]
mod attack;
pub mod model;
pub mod national;
pub mod pictures;
pub mod repo;
mod views;

use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use time::Date;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::citizens::PURPOSE_CASEWORK;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::CourseKind;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{FieldErrors, parse_date};
use crate::web::routes::{COORDINATOR, NATIONAL, Route};
use crate::{clock, corps};

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

/// A dashboard's filter from its query: a known kind or every kind, every member, and the
/// period, the last year by default. A date that cannot be read is an error on its field,
/// and the default is used.
fn filter_of(
    t: &'static Messages,
    today: Date,
    from: &str,
    to: &str,
    kind: &str,
    errors: &mut FieldErrors,
) -> repo::Filter {
    let mut date = |field: &'static str, text: &str, default| {
        if text.trim().is_empty() {
            return default;
        }
        parse_date(text).unwrap_or_else(|| {
            errors.add(field, t.common.date_invalid);
            default
        })
    };
    repo::Filter {
        kind: CourseKind::from_code(kind)
            .map(|k| k.code().to_string())
            .unwrap_or_default(),
        member_id: None,
        from: date(
            "from",
            from,
            today.replace_year(today.year() - 1).unwrap_or(today),
        ),
        to: date("to", to, today),
    }
}

pub async fn overview_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Query(query): Query<OverviewQuery>,
) -> AppResult<Response> {
    let (t, today) = (page.t, clock::today());
    let mut errors = FieldErrors::default();
    let filter = repo::Filter {
        member_id: query.member.parse::<Uuid>().ok(),
        ..filter_of(t, today, &query.from, &query.to, &query.kind, &mut errors)
    };

    let rows = aggregate::OverviewRows {
        members: corps::repo::options(&mut tx).await?,
        courses: crate::courses::repo::open_course_facts(&mut tx, filter.member_id).await?,
        loads: repo::member_load(&mut tx, &filter).await?,
        counts: repo::courses_by_kind_and_state(&mut tx, &filter).await?,
        monthly: repo::monthly_ratings(&mut tx, &filter).await?,
        background: repo::background(&mut tx, &filter, today.year() as i16).await?,
        changes: repo::pre_post_change(&mut tx, &filter).await?,
    };
    audit::record(
        &mut tx,
        addr,
        Event::new("course_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "page": "overview" })),
    )
    .await?;
    tx.commit().await?;

    let overview = aggregate::overview(&rows, &filter.kind, filter.member_id, today);
    Ok(views::OverviewView::new(page, query, errors, overview).into_response())
}
