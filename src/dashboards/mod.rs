//! The coordinator's overview (coordinator guide §3.2): data completeness per member and
//! for the municipality, courses by kind and state, the background of the citizens, and
//! the average change in wellbeing and life mastery with the number of courses behind it.
//! Filters by period, kind and member.

pub mod model;
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
use crate::courses::model::{CourseKind, CourseState};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{FieldErrors, parse_date};
use crate::web::i18n::Messages;
use crate::{clock, corps};
use model::Completeness;

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
    completeness: Vec<CompletenessRow>,
    total: CompletenessRow,
    states: Vec<&'static str>,
    by_kind: Vec<(&'static str, Vec<i64>, i64)>,
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

fn band_label(t: &'static Messages, band: &str) -> String {
    match band {
        "under_18" => t.age_under_18.to_string(),
        "18_to_24" => t.age_18_to_24.to_string(),
        "25_plus" => t.age_25_plus.to_string(),
        _ => t.not_stated.to_string(),
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
            errors.add(field, t.date_invalid);
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
    let mut per_member: Vec<(Uuid, String, Completeness)> = members
        .iter()
        .map(|m| (m.id, m.name.clone(), Completeness::default()))
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
            .find(|(id, _, _)| Some(*id) == course.member_id)
        {
            entry.2.add(&facts, today);
        }
    }

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
    let background = repo::background(&mut tx, &filter, today.year() as i16)
        .await?
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
                t.wellbeing_who5
            } else {
                t.life_mastery
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
        completeness: per_member
            .into_iter()
            .filter(|(_, _, c)| c.active > 0)
            .map(|(_, name, c)| row(name, c))
            .collect(),
        total: row(t.municipality_total.to_string(), total),
        states: states.iter().map(|s| s.label(t)).collect(),
        by_kind,
        background,
        changes,
        errors,
        page: page
            .titled(t.overview_title)
            .crumb(t.nav_start, "/")
            .crumb(t.overview_title, "/overblik"),
        query,
    }
    .into_response())
}
