//! The session log: a mentor or parent coach records a session in under a minute. The
//! same day a session can be corrected; later changes keep the earlier version.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::{display_name, repo, rules, visible_course};
use crate::audit::{Done, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::{CourseKind, SessionKind};
use crate::web::Page;
use crate::web::forms::{self, Choice, Claim, FieldErrors, Form, choices, parse_date};
use crate::{clock, vocab};

pub const TOOLS: &[&str] = &[
    "risk_assessment",
    "development_plan",
    "measurement",
    "agreement",
    "conversation_card",
    "other",
];

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    tools: Vec<String>,
    #[serde(default)]
    next_step: String,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    form_key: Option<Uuid>,
}

struct Valid {
    held_on: time::Date,
    duration: i16,
    kind: SessionKind,
    tools: Vec<String>,
}

impl SessionForm {
    fn validate(&self, course: CourseKind, t: &'static Messages) -> Result<Valid, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = parse_date(&self.held_on).filter(|date| *date <= clock::today());
        if held_on.is_none() {
            errors.add("held_on", t.common.date_invalid_or_future);
        }
        let duration = self
            .duration_minutes
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|m| (5..=720).contains(m));
        if duration.is_none() {
            errors.add("duration_minutes", t.courses.duration_invalid);
        }
        let kind =
            SessionKind::from_code(&self.kind).filter(|kind| course.session_kinds().contains(kind));
        if kind.is_none() {
            errors.add("kind", t.courses.session_kind_required);
        }
        match (held_on, duration, kind) {
            (Some(held_on), Some(duration), Some(kind)) => Ok(Valid {
                held_on,
                duration,
                kind,
                tools: vocab::known(&self.tools, TOOLS),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/session_form.html")]
struct FormView {
    page: Page,
    action: String,
    course_href: String,
    form: SessionForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    tool_options: Vec<(&'static str, String)>,
    form_key: String,
    versions: Vec<repo::SessionVersion>,
    editing: bool,
    duration_hint: &'static str,
    /// The saved session, when someone else saved it while this form was open.
    conflict: Option<String>,
}

impl FormView {
    fn tools(&self) -> Vec<Choice> {
        choices(&self.tool_options, &self.form.tools)
    }
}

fn form_view(
    page: Page,
    course: &repo::Course,
    name: &str,
    form: SessionForm,
    errors: FieldErrors,
    session: Option<Uuid>,
) -> FormView {
    let t = page.t;
    let course_href = format!("/forloeb/{}", course.id);
    let (title, action) = match session {
        Some(id) => (
            t.courses.edit_session,
            format!("/forloeb/{}/sessioner/{id}", course.id),
        ),
        None => (
            t.common.log_session,
            format!("/forloeb/{}/sessioner", course.id),
        ),
    };
    FormView {
        action: action.clone(),
        kinds: course
            .kind
            .session_kinds()
            .iter()
            .map(|k| (k.code(), k.label(t)))
            .collect(),
        tool_options: vocab::options(t, TOOLS),
        form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
        form,
        errors,
        versions: Vec::new(),
        editing: session.is_some(),
        conflict: None,
        duration_hint: match course.kind {
            CourseKind::Mentor => t.courses.duration_hint,
            _ => t.courses.duration_hint_coaching,
        },
        page: page
            .titled(title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(name.to_string(), course_href.clone())
            .crumb(title, action),
        course_href,
    }
}

/// The course, if this user may log sessions on it (its member or a coordinator).
pub(super) async fn loggable(
    tx: &mut TenantTx,
    user: &CurrentUser,
    id: Uuid,
    t: &'static Messages,
) -> AppResult<(repo::Course, String, Vec<Uuid>)> {
    let (course, viewer) = visible_course(tx, user, id).await?;
    if !viewer.works_on(&course) || course.member_id.is_none() {
        return Err(AppError::Forbidden);
    }
    if !course.state.is_open() {
        return Err(AppError::Conflict);
    }
    let participants = repo::participants(tx, id).await?;
    let name = display_name(t, &course, &participants);
    let shown = participants.iter().map(|p| p.id).collect();
    Ok((course, name, shown))
}

pub async fn new_session_page(
    user: CurrentUser,
    mut tx: TenantTx,
    page: Page,
    reads: Reads,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (course, name, shown) = loggable(&mut tx, &user, id, page.t).await?;
    reads.citizens(&tx, super::course_read(id, course.municipality_id), shown);
    let default_kind = course.kind.session_kinds()[0];
    let form = SessionForm {
        held_on: clock::format_date(clock::today()),
        duration_minutes: if course.kind == CourseKind::Mentor {
            "60".into()
        } else {
            "90".into()
        },
        kind: default_kind.code().into(),
        ..Default::default()
    };
    Ok(form_view(page, &course, &name, form, FieldErrors::default(), None).into_response())
}

fn new_session<'a>(valid: &'a Valid, form: &'a SessionForm) -> repo::NewSession<'a> {
    repo::NewSession {
        held_on: valid.held_on,
        duration_minutes: valid.duration,
        kind: valid.kind,
        participants: form.participants.trim(),
        notes: form.notes.trim(),
        tools: &valid.tools,
        next_step: form.next_step.trim(),
    }
}

fn saved_message(t: &'static Messages, course: CourseKind, valid: &Valid) -> String {
    if rules::unusual_duration(course, valid.kind, i32::from(valid.duration)) {
        format!(
            "{} {}",
            t.courses.session_logged, t.courses.duration_unusual
        )
    } else {
        t.courses.session_logged.to_string()
    }
}

pub async fn log_session(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<SessionForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, name, shown) = loggable(&mut tx, &user, id, t).await?;
    let mut checked = form.validate(course.kind, t);
    if let Some(message) = super::consent_refusal(&mut tx, id, t).await? {
        let mut errors = checked.err().unwrap_or_default();
        errors.add("consent", message);
        checked = Err(errors);
    }
    let valid = match checked {
        Ok(valid) => valid,
        Err(errors) => {
            reads.citizens(&tx, super::course_read(id, course.municipality_id), shown);
            let view = form_view(page, &course, &name, form, errors, None);
            return Ok(forms::invalid(view));
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let session_id = repo::insert_session(&mut tx, id, &new_session(&valid, &form)).await?;
    let location = format!("/forloeb/{id}#sessioner");
    forms::complete(&mut tx, key, &location).await?;
    Done::to(location)
        .audit(
            Event::new("session_logged")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "session": session_id })),
        )
        .said(saved_message(t, course.kind, &valid))
        .finish(tx, addr, &session)
        .await
}

pub async fn edit_session_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (course, name, shown) = loggable(&mut tx, &user, id, page.t).await?;
    let s = repo::session(&mut tx, id, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = repo::session_versions(&mut tx, session_id).await?;
    reads.citizens(
        &tx,
        session_read(id, course.municipality_id, session_id),
        shown,
    );
    let form = SessionForm {
        held_on: clock::format_date(s.held_on),
        duration_minutes: s.duration_minutes.to_string(),
        kind: s.kind.code().to_string(),
        participants: s.participants,
        notes: s.notes,
        tools: s.tools,
        next_step: s.next_step,
        version: s.version,
        form_key: None,
    };
    let mut view = form_view(
        page,
        &course,
        &name,
        form,
        FieldErrors::default(),
        Some(session_id),
    );
    view.versions = versions;
    Ok(view.into_response())
}

/// The audit entry of a view of session `session` of course `id` of municipality `owner`.
fn session_read(id: Uuid, owner: Uuid, session: Uuid) -> Event<'static> {
    Event::new("session_read")
        .course(id, owner)
        .purpose(PURPOSE_CASEWORK)
        .details(json!({ "session": session }))
}

pub async fn update_session(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
    Form(form): Form<SessionForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, name, shown) = loggable(&mut tx, &user, id, t).await?;
    repo::session(&mut tx, id, session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let read = session_read(id, course.municipality_id, session_id);
    let mut checked = form.validate(course.kind, t);
    if let Some(message) = super::consent_refusal(&mut tx, id, t).await? {
        let mut errors = checked.err().unwrap_or_default();
        errors.add("consent", message);
        checked = Err(errors);
    }
    let valid = match checked {
        Ok(valid) => valid,
        Err(errors) => {
            reads.citizens(&tx, read, shown);
            let view = form_view(page, &course, &name, form, errors, Some(session_id));
            return Ok(forms::invalid(view));
        }
    };
    if !repo::update_session(
        &mut tx,
        session_id,
        form.version,
        &new_session(&valid, &form),
    )
    .await?
    {
        // Saved by someone else in between: keep what this user typed, show what is
        // saved now, and let a second save (with the current version) apply it.
        reads.citizens(&tx, read, shown);
        let saved = repo::session(&mut tx, id, session_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut view = form_view(
            page,
            &course,
            &name,
            SessionForm {
                version: saved.version,
                ..form
            },
            FieldErrors::default(),
            Some(session_id),
        );
        view.conflict = Some(format!(
            "{} · {} {} · {}",
            clock::format_date(saved.held_on),
            saved.duration_minutes,
            t.courses.minutes,
            saved.notes
        ));
        return Ok(forms::stale(view));
    }
    Done::to(format!("/forloeb/{id}#sessioner"))
        .audit(
            Event::new("session_changed")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "session": session_id })),
        )
        .said(t.courses.session_changed)
        .finish(tx, addr, &session)
        .await
}
