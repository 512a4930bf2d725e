//! Filling a LAT tool on a course, and reading a filled one: the course's member or a
//! coordinator, with the tool's form from `tools`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, json};
use tower_sessions::Session;
use uuid::Uuid;

use super::{display_name, repo as courses_repo, visible_course};
use crate::audit::{Done, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::tools::definition::Tool;
use crate::tools::form::{self, SectionView};
use crate::tools::{catalog, for_kind, repo};
use crate::vocab::ToolPhase;
use crate::web::Page;
use crate::web::forms::{self, FieldErrors, Form, parse_date};

#[derive(Template, WebTemplate)]
#[template(path = "tools/form.html")]
struct FillView {
    page: Page,
    action: String,
    course_href: String,
    title: &'static str,
    intro: &'static str,
    sections: Vec<SectionView>,
    errors: FieldErrors,
    phased: bool,
    phase: String,
    filled_on: String,
    /// The form's one-time key: a double click saves one answer.
    form_key: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct FillQuery {
    #[serde(default)]
    phase: String,
}

async fn fillable(
    tx: &mut TenantTx,
    user: &CurrentUser,
    id: Uuid,
    key: &str,
) -> AppResult<(courses_repo::Course, String, &'static Tool, Vec<Uuid>)> {
    let (course, viewer) = visible_course(tx, user, id).await?;
    if !viewer.works_on(&course) {
        return Err(AppError::Forbidden);
    }
    let tool = for_kind(course.kind)
        .into_iter()
        .find(|tool| tool.key == key)
        .ok_or(AppError::NotFound)?;
    let participants = courses_repo::participants(tx, id).await?;
    let name = display_name(user.locale.messages(), &course, &participants);
    let shown = participants.iter().map(|p| p.id).collect();
    Ok((course, name, tool, shown))
}

/// The audit entry of a view of a tool's form or answers on `course`.
fn tool_read(course: &courses_repo::Course, details: serde_json::Value) -> Event<'static> {
    Event::new("tool_read")
        .course(course.id, course.municipality_id)
        .purpose(PURPOSE_CASEWORK)
        .details(details)
}

/// What the form shows: the tool's fields with their values, the messages, and the
/// phase and date as entered.
struct Entered {
    sections: Vec<SectionView>,
    errors: FieldErrors,
    phase: String,
    filled_on: String,
    form_key: String,
}

fn fill_view(
    page: Page,
    course: &courses_repo::Course,
    name: &str,
    tool: &'static Tool,
    entered: Entered,
) -> FillView {
    let Entered {
        sections,
        errors,
        phase,
        filled_on,
        form_key,
    } = entered;
    let locale = page.locale;
    let t = page.t;
    let course_href = format!("/forloeb/{}", course.id);
    let action = format!("/forloeb/{}/redskaber/{}", course.id, tool.key);
    FillView {
        title: tool.title.get(locale),
        intro: tool.intro.get(locale),
        sections,
        errors,
        phased: tool.phased,
        phase,
        filled_on,
        form_key,
        page: page
            .titled(tool.title.get(locale))
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(name.to_string(), course_href.clone())
            .crumb(tool.title.get(locale), action.clone()),
        action,
        course_href,
    }
}

pub async fn fill_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path((id, key)): Path<(Uuid, String)>,
    Query(query): Query<FillQuery>,
) -> AppResult<Response> {
    let (course, name, tool, shown) = fillable(&mut tx, &user, id, &key).await?;
    reads.citizens(&tx, tool_read(&course, json!({ "tool": tool.key })), shown);
    let sections = form::view(
        tool.current(),
        &Map::new(),
        &FieldErrors::default(),
        page.locale,
        None,
    );
    let phase = if ToolPhase::from_code(&query.phase).is_some() {
        query.phase
    } else {
        String::new()
    };
    let entered = Entered {
        sections,
        errors: FieldErrors::default(),
        phase,
        filled_on: clock::format_date(clock::today()),
        form_key: Uuid::new_v4().to_string(),
    };
    Ok(fill_view(page, &course, &name, tool, entered).into_response())
}

pub async fn submit(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path((id, key)): Path<(Uuid, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, name, tool, shown) = fillable(&mut tx, &user, id, &key).await?;
    let definition = tool.current();
    let (answers, mut errors) = form::parse(definition, &pairs, t);
    if let Some(message) = super::consent_refusal(&mut tx, id, t).await? {
        errors.add("consent", message);
    }
    let field = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let phase = field("phase");
    if tool.phased && ToolPhase::from_code(&phase).is_none() {
        errors.add("phase", t.tools.tool_phase_required);
    }
    let filled_on = parse_date(&field("filled_on")).filter(|d| *d <= clock::today());
    if filled_on.is_none() {
        errors.add("filled_on", t.common.date_invalid_or_future);
    }
    let Some(filled_on) = filled_on.filter(|_| errors.is_empty()) else {
        let sections = form::view(definition, &Map::new(), &errors, page.locale, Some(&pairs));
        let entered = Entered {
            sections,
            errors,
            phase,
            filled_on: field("filled_on"),
            form_key: field("form_key")
                .parse::<Uuid>()
                .unwrap_or_else(|_| Uuid::new_v4())
                .to_string(),
        };
        reads.citizens(&tx, tool_read(&course, json!({ "tool": tool.key })), shown);
        let view = fill_view(page, &course, &name, tool, entered);
        return Ok(forms::invalid(view));
    };
    let phase = ToolPhase::from_code(&phase).filter(|_| tool.phased);
    let measures = form::measures(definition, &answers, phase);
    let target = repo::Target {
        course_id: Some(id),
        coaching_id: None,
    };
    let new = repo::NewAnswer {
        target,
        tool: tool.key,
        version: definition.version,
        phase,
        answers: &answers,
        filled_on,
    };
    let key = field("form_key")
        .parse::<Uuid>()
        .map_err(|_| AppError::Unprocessable)?;
    if let forms::Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(axum::response::Redirect::to(&location).into_response());
    }
    let location = format!("/forloeb/{id}#redskaber");
    forms::complete(&mut tx, key, &location).await?;
    let answer = repo::insert(&mut tx, new, &measures).await?;
    Done::to(location)
        .audit(
            Event::new("tool_filled")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "tool": tool.key, "answer": answer })),
        )
        .said(crate::i18n::fill(
            t.tools.tool_saved,
            &[tool.title.get(page.locale)],
        ))
        .finish(tx, addr, &session)
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "tools/answer.html")]
struct AnswerView {
    page: Page,
    title: &'static str,
    version: i16,
    phase: &'static str,
    filled_on: String,
    filled_by: String,
    sections: Vec<SectionView>,
    course_href: String,
}

/// A filled tool, shown with the wording of the version it was given under.
pub async fn answer_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path((id, answer_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let t = page.t;
    let (course, _) = visible_course(&mut tx, &user, id).await?;
    let filled = repo::get(&mut tx, id, answer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tool = catalog::find(&filled.tool).ok_or(AppError::NotFound)?;
    let definition = tool.version(filled.version).ok_or(AppError::NotFound)?;
    let participants = courses_repo::participants(&mut tx, id).await?;
    reads.citizens(
        &tx,
        tool_read(&course, json!({ "answer": answer_id })),
        participants.iter().map(|p| p.id),
    );
    let sections = crate::tools::read_only(definition, &filled, page.locale);
    let course_href = format!("/forloeb/{}", course.id);
    let title = tool.title.get(page.locale);
    Ok(AnswerView {
        title,
        version: filled.version,
        phase: filled.phase.map_or("", |phase| phase.label(t)),
        filled_on: clock::format_date(filled.filled_on),
        filled_by: filled.filled_by.unwrap_or_default(),
        sections,
        page: page
            .titled(title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(t.common.course, course_href.clone())
            .crumb(title, format!("{course_href}/redskaber/svar/{answer_id}")),
        course_href,
    }
    .into_response())
}
