//! The coordinator's monthly coaching of each mentor and parent coach with courses in
//! progress (coordinator guide §3): a log with date, member, notes and next step. The
//! structured solution-focused coaching card comes with the LAT tools.

pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::forms::{FieldErrors, Form, parse_date};
use crate::web::table::{ListUrl, PER_PAGE, Paging};
use crate::web::{Page, flash};
use crate::{clock, corps};

#[derive(Debug, Default, Deserialize)]
pub struct CoachingQuery {
    /// The filter's select is named apart from the form's member field (unique ids).
    #[serde(default, alias = "member-filter")]
    member: String,
    page: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CoachingForm {
    #[serde(default)]
    member: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    next_step: String,
}

pub struct Row {
    held_on: String,
    member: String,
    coordinator: String,
    notes: String,
    next_step: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "coaching/log.html")]
struct LogView {
    page: Page,
    members: Vec<(String, String)>,
    uncoached: Vec<String>,
    filter: String,
    form: CoachingForm,
    errors: FieldErrors,
    rows: Vec<Row>,
    paging: Paging,
    url: ListUrl,
}

async fn view(
    tx: &mut TenantTx,
    page: Page,
    filter: String,
    requested_page: Option<i64>,
    form: CoachingForm,
    errors: FieldErrors,
) -> AppResult<LogView> {
    let t = page.t;
    let members = corps::repo::options(tx).await?;
    let month_start = clock::today().replace_day(1).expect("day 1 exists");
    let uncoached = repo::uncoached_members(tx, month_start).await?;
    let paging = Paging::new(requested_page, PER_PAGE);
    let entries = repo::entries(
        tx,
        filter.parse::<Uuid>().ok(),
        paging.limit(),
        paging.offset(),
    )
    .await?;
    let total = entries.first().map_or(0, |e| e.total);
    Ok(LogView {
        members: members
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        uncoached: uncoached.into_iter().map(|m| m.name).collect(),
        url: ListUrl::new(
            "/coaching",
            &[("member", &filter), ("page", &paging.page.to_string())],
        ),
        filter,
        form,
        errors,
        rows: entries
            .into_iter()
            .map(|e| Row {
                held_on: clock::format_date(e.held_on),
                member: e.member_name,
                coordinator: e.coordinator_name,
                notes: e.notes,
                next_step: e.next_step,
            })
            .collect(),
        paging: paging.with_total(total),
        page: page
            .titled(t.coaching_title)
            .crumb(t.nav_start, "/")
            .crumb(t.coaching_title, "/coaching"),
    })
}

pub async fn log_page(
    mut tx: TenantTx,
    page: Page,
    Query(query): Query<CoachingQuery>,
) -> AppResult<Response> {
    let form = CoachingForm {
        member: query.member.clone(),
        held_on: clock::format_date(clock::today()),
        ..Default::default()
    };
    let view = view(
        &mut tx,
        page,
        query.member,
        query.page,
        form,
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn record(
    mut tx: TenantTx,
    session: Session,
    page: Page,
    Form(form): Form<CoachingForm>,
) -> AppResult<Response> {
    let t = page.t;
    let mut errors = FieldErrors::default();
    let member = match form.member.parse::<Uuid>() {
        Ok(id) => corps::repo::get(&mut tx, Some(id), None).await?,
        Err(_) => None,
    };
    if member.is_none() {
        errors.add("member", t.choose_member);
    }
    let held_on = parse_date(&form.held_on).filter(|date| *date <= clock::today());
    if held_on.is_none() {
        errors.add("held_on", t.date_invalid_or_future);
    }
    let (Some(member), Some(held_on)) = (member, held_on) else {
        let view = view(&mut tx, page, String::new(), None, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    };
    repo::insert(
        &mut tx,
        member.id,
        held_on,
        form.notes.trim(),
        form.next_step.trim(),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.coaching_recorded).await?;
    Ok(Redirect::to("/coaching").into_response())
}
