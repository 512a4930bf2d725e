//! Corps-wide events: national network meetings and advanced modules
//! ("overbygningsmoduler"), created by national staff, with attendance ticked from the
//! trained members of the event's programmes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::cohorts::{AttendanceForm, AttendeeRow, event_form_view};
use super::model::{EventForm, ModuleForm, format_span};
use super::{programmes_label, repo};
use crate::audit::{Done, Event};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};

pub async fn new_event_page(page: Page) -> Response {
    event_form_view(
        page,
        String::new(),
        ModuleForm::default(),
        FieldErrors::default(),
    )
    .into_response()
}

pub async fn create_event(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<EventForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let (kind, valid) = match form.validate(tm) {
        Ok(valid) => valid,
        Err(errors) => {
            let view = event_form_view(page, form.kind.clone(), form.module(), errors);
            return Ok(forms::invalid(view));
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert_event(&mut tx, kind, &valid).await?;
    let location = format!("/uddannelse/arrangementer/{id}");
    forms::complete(&mut tx, key, &location).await?;
    Done::to(location)
        .audit(
            Event::new("corps_event_created")
                .subject("corps_event", id)
                .details(json!({ "kind": kind.code(), "programmes": valid.programmes })),
        )
        .said(tm.event_created)
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "training/attendance.html")]
struct EventView {
    page: Page,
    action: String,
    cancel: String,
    heading: String,
    details: String,
    attendees: Vec<AttendeeRow>,
    empty: &'static str,
    error: Option<&'static str>,
}

pub async fn event_page(mut tx: TenantTx, page: Page, Path(id): Path<Uuid>) -> AppResult<Response> {
    let t = page.t;
    let tm = &t.training;
    let event = repo::get_event(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = repo::event_members(&mut tx, &event).await?;
    tx.commit().await?;
    let action = format!("/uddannelse/arrangementer/{id}");
    Ok(EventView {
        page: page
            .titled(event.title.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(tm.title, "/uddannelse")
            .crumb(event.title.clone(), action.clone()),
        action,
        cancel: "/uddannelse".to_string(),
        details: format!(
            "{} · {} · {}{}",
            event.kind.label(tm),
            format_span(event.starts_on, event.ends_on),
            programmes_label(&event.programmes, t),
            if event.place.is_empty() {
                String::new()
            } else {
                format!(" · {}", event.place)
            }
        ),
        heading: event.title,
        attendees: members
            .into_iter()
            .map(|m| AttendeeRow {
                id: m.id,
                label: format!("{} ({})", m.name, m.municipality),
                present: m.present,
            })
            .collect(),
        empty: tm.no_trained_members,
        error: None,
    }
    .into_response())
}

pub async fn record_event_attendance(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<AttendanceForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let event = repo::get_event(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (added, removed) = repo::set_event_attendance(&mut tx, &event, &form.present).await?;
    Done::to(format!("/uddannelse/arrangementer/{id}"))
        .audit(
            Event::new("corps_event_attendance_recorded")
                .subject("corps_event", id)
                .details(json!({ "added": added, "removed": removed })),
        )
        .said(tm.attendance_saved)
        .finish(tx, addr, &session)
        .await
}
