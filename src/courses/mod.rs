//! Courses (forløb) of the three kinds: the list, the course page with its due items,
//! sessions and history, the lifecycle, and the printable handover summary.

pub mod due;
pub mod progress;
pub mod repo;
pub mod rules;
mod sessions;
mod tool_pages;

pub use sessions::{edit_session_page, log_session, new_session_page, update_session};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::Role;
use crate::vocab::{CourseKind, CourseState, SessionKind};
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, COURSE_WORK, Route};
use crate::web::table::{List, ListSpec, Sort};
use crate::web::{Page, flash};
use crate::{clock, vocab};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::post("/borgere/{id}/forloeb", COORDINATOR, create_for_citizen),
        Route::get("/forloeb", COURSE_WORK, list_page).menu(30, |t| t.common.nav_courses),
        Route::get("/forloeb/nyt-netvaerk", COORDINATOR, new_network_page),
        Route::post("/forloeb/nyt-netvaerk", COORDINATOR, create_network),
        Route::get("/forloeb/{id}", COURSE_WORK, show_page),
        Route::post("/forloeb/{id}/status", COURSE_WORK, transition),
        Route::post("/forloeb/{id}/annuller", COORDINATOR, cancel),
        Route::get("/forloeb/{id}/overdragelse", COURSE_WORK, handover_page),
        Route::get("/forloeb/{id}/sessioner/ny", COURSE_WORK, new_session_page),
        Route::post("/forloeb/{id}/sessioner", COURSE_WORK, log_session),
        Route::get(
            "/forloeb/{id}/sessioner/{session_id}",
            COURSE_WORK,
            edit_session_page,
        ),
        Route::post(
            "/forloeb/{id}/sessioner/{session_id}",
            COURSE_WORK,
            update_session,
        ),
        Route::get(
            "/forloeb/{id}/redskaber/{tool}",
            COURSE_WORK,
            tool_pages::fill_page,
        ),
        Route::post(
            "/forloeb/{id}/redskaber/{tool}",
            COURSE_WORK,
            tool_pages::submit,
        ),
        Route::get(
            "/forloeb/{id}/redskaber/svar/{answer_id}",
            COURSE_WORK,
            tool_pages::answer_page,
        ),
    ]
}

/// Who is looking at courses: a coordinator sees all of the municipality's, a mentor or
/// parent coach only their own.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub coordinator: bool,
    pub member_id: Option<Uuid>,
}

impl Viewer {
    pub async fn of(tx: &mut TenantTx, user: &CurrentUser) -> AppResult<Viewer> {
        let member_id = repo::member_of_user(tx, user.id).await?;
        Ok(Viewer {
            coordinator: user.has(Role::Coordinator),
            member_id,
        })
    }

    /// Whether this user may work on `course`: log sessions, fill tools, move it on.
    pub fn works_on(&self, course: &repo::Course) -> bool {
        self.coordinator || (self.member_id.is_some() && self.member_id == course.member_id)
    }

    /// The member filter for queries: none for coordinators.
    pub fn only_member(&self) -> Option<Uuid> {
        if self.coordinator {
            None
        } else {
            Some(self.member_id.unwrap_or(Uuid::nil()))
        }
    }
}

/// The course if this user may see it, else 404.
pub async fn visible_course(
    tx: &mut TenantTx,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(repo::Course, Viewer)> {
    let viewer = Viewer::of(tx, user).await?;
    let course = repo::get(tx, id, viewer.only_member())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((course, viewer))
}

/// The name of a loaded course with its participants, as pages show it.
pub fn display_name(
    t: &'static Messages,
    course: &repo::Course,
    participants: &[repo::Participant],
) -> String {
    let citizens = participants
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    course_name(t, course.kind, &course.title, &citizens)
}

/// The label of a course's "were the goals reached" answer ("" when not answered).
pub fn goals_label(t: &'static Messages, code: Option<&str>) -> &'static str {
    match code {
        Some("yes") => t.courses.goals_yes,
        Some("partly") => t.courses.goals_partly,
        Some("no") => t.courses.goals_no,
        _ => "",
    }
}

/// "Mentorforløb med Yusuf" — how a course is named on pages.
pub fn course_name(t: &'static Messages, kind: CourseKind, title: &str, citizens: &str) -> String {
    match kind {
        CourseKind::RelativesNetwork if !title.is_empty() => title.to_string(),
        _ if !citizens.is_empty() => format!("{} · {}", kind.label(t), citizens),
        _ => kind.label(t).to_string(),
    }
}

static LIST: ListSpec = ListSpec {
    path: "/forloeb",
    search: true,
    filters: &["kind", "state", "member"],
    sorts: &["referred_on", "state"],
    default_sort: Sort::desc("referred_on"),
    ..ListSpec::PLAIN
};

pub struct ListRow {
    id: Uuid,
    name: String,
    kind: &'static str,
    state: &'static str,
    member: String,
    referred_on: String,
    last_session: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/list.html")]
struct ListView {
    page: Page,
    coordinator: bool,
    kinds: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    list: List<ListRow>,
}

pub async fn list_page(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let viewer = Viewer::of(&mut tx, &user).await?;
    let mut query = LIST.read(query.as_deref());
    query
        .keep("kind", |kind| CourseKind::from_code(kind).is_some())
        .keep("state", |state| {
            state == "open" || CourseState::from_code(state).is_some()
        })
        .keep("member", |member| {
            viewer.coordinator && member.parse::<Uuid>().is_ok()
        });
    let filter = repo::ListFilter {
        kind: query.filter("kind"),
        state: query.filter("state"),
        member_id: if viewer.coordinator {
            query.filter("member").parse::<Uuid>().ok()
        } else {
            viewer.only_member()
        },
        q: query.q(),
    };
    let (column, descending) = (query.sort.column, query.sort.descending);
    let mut pager = query.pager();
    while let Some((limit, offset)) = pager.wants() {
        pager.got(repo::list(&mut tx, &filter, column, descending, limit, offset).await?);
    }
    let list = pager.list();
    let members = if viewer.coordinator {
        crate::corps::repo::options(&mut tx).await?
    } else {
        Vec::new()
    };
    audit::record(
        &mut tx,
        addr,
        Event::new("course_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "rows": list.rows.len() })),
    )
    .await?;
    tx.commit().await?;
    let list = list
        .columns(
            t,
            &[
                (t.common.course, None),
                (t.common.course_kind, None),
                (t.common.status, Some("state")),
                (t.common.member, None),
                (t.common.referred_on, Some("referred_on")),
                (t.common.last_session, None),
            ],
        )
        .filter_map(|row| {
            let kind = CourseKind::from_code(&row.kind)?;
            Some(ListRow {
                id: row.id,
                name: if row.title.is_empty() {
                    row.citizens.clone().unwrap_or_default()
                } else {
                    row.title.clone()
                },
                kind: kind.label(t),
                state: CourseState::from_code(&row.state)?.label(t),
                member: row.member_name.unwrap_or_default(),
                referred_on: clock::format_date(row.referred_on),
                last_session: row.last_session.map(clock::format_date).unwrap_or_default(),
            })
        });
    let mut states: Vec<(&'static str, &'static str)> = vec![("open", t.courses.state_open)];
    states.extend(CourseState::ALL.iter().map(|s| (s.code(), s.label(t))));
    Ok(ListView {
        coordinator: viewer.coordinator,
        kinds: CourseKind::ALL
            .iter()
            .map(|k| (k.code(), k.label(t)))
            .collect(),
        states,
        members: members
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        page: page
            .titled(t.common.courses_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb"),
        list,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct NewCourseForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    form_key: Option<Uuid>,
}

/// Opens a course for a citizen (it waits for a match).
pub async fn create_for_citizen(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(citizen_id): Path<Uuid>,
    Form(form): Form<NewCourseForm>,
) -> AppResult<Response> {
    let t = page.t;
    let citizen = crate::citizens::repo::get(&mut tx, citizen_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = CourseKind::from_code(&form.kind)
        .filter(|kind| {
            kind.citizen_kind() == citizen.citizen.kind && *kind != CourseKind::RelativesNetwork
        })
        .ok_or(AppError::Unprocessable)?;
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert(&mut tx, kind, "", clock::today(), &[citizen_id]).await?;
    let location = format!("/forloeb/{id}/match");
    forms::complete(&mut tx, key, &location).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("course_created")
            .subject("course", id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "citizen": citizen_id })),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.courses.course_created).await?;
    Ok(Redirect::to(&location).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/new_network.html")]
struct NewNetworkView {
    page: Page,
    title: String,
    relatives: Vec<(String, String, bool)>,
    errors: FieldErrors,
    form_key: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NetworkForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    participants: Vec<Uuid>,
    #[serde(default)]
    form_key: Option<Uuid>,
}

async fn network_view(
    tx: &mut TenantTx,
    page: Page,
    form: NetworkForm,
    errors: FieldErrors,
) -> AppResult<NewNetworkView> {
    let t = page.t;
    let relatives = crate::citizens::repo::choices(tx, "relative").await?;
    Ok(NewNetworkView {
        relatives: relatives
            .into_iter()
            .map(|r| (r.id.to_string(), r.name, form.participants.contains(&r.id)))
            .collect(),
        title: form.title,
        errors,
        form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
        page: page
            .titled(t.courses.new_network)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(t.courses.new_network, "/forloeb/nyt-netvaerk"),
    })
}

pub async fn new_network_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
) -> AppResult<Response> {
    // The form lists the municipality's relatives: a read of citizen data.
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "page": "new_network" })),
    )
    .await?;
    let view = network_view(
        &mut tx,
        page,
        NetworkForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn create_network(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<NetworkForm>,
) -> AppResult<Response> {
    let t = page.t;
    let mut errors = FieldErrors::default();
    let title = form.title.trim().to_string();
    if title.is_empty() {
        errors.add("title", t.courses.network_title_required);
    }
    let relatives = crate::citizens::repo::choices(&mut tx, "relative").await?;
    let participants: Vec<Uuid> = form
        .participants
        .iter()
        .copied()
        .filter(|id| relatives.iter().any(|r| r.id == *id))
        .collect();
    if participants.is_empty() {
        errors.add("participants", t.courses.network_participants_required);
    }
    if !errors.is_empty() {
        let view = network_view(&mut tx, page, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert(
        &mut tx,
        CourseKind::RelativesNetwork,
        &title,
        clock::today(),
        &participants,
    )
    .await?;
    let location = format!("/forloeb/{id}/match");
    forms::complete(&mut tx, key, &location).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("course_created")
            .subject("course", id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "participants": participants.len() })),
    )
    .await?;
    tx.commit().await?;
    let message = if (8..=15).contains(&participants.len()) {
        t.courses.course_created.to_string()
    } else {
        format!(
            "{} {}",
            t.courses.course_created, t.courses.network_size_warning
        )
    };
    flash::push(&session, flash::Kind::Success, message).await?;
    Ok(Redirect::to(&location).into_response())
}

pub struct SessionRow {
    id: Uuid,
    held_on: String,
    duration: i16,
    kind: &'static str,
    participants: String,
    notes: String,
    tools: String,
    next_step: String,
    logged_by: String,
    edited: bool,
    unusual_duration: bool,
}

pub struct Transition {
    to: &'static str,
    label: &'static str,
    /// Ending asks whether the goals were reached.
    asks_goals: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/show.html")]
struct ShowView {
    page: Page,
    course: repo::Course,
    name: String,
    kind: &'static str,
    state: &'static str,
    participants: Vec<repo::Participant>,
    due: Vec<due::DueRow>,
    sessions: Vec<SessionRow>,
    events: Vec<(String, String, String, String)>,
    transitions: Vec<Transition>,
    coordinator: bool,
    may_log: bool,
    goals_options: Vec<(&'static str, &'static str)>,
    goals_reached: String,
    dates: Vec<(&'static str, String)>,
    show_handover: bool,
    tools: Vec<(&'static str, &'static str, bool)>,
    filled: Vec<FilledRow>,
    progress: progress::Progress,
    entered: Entered,
}

pub struct FilledRow {
    id: Uuid,
    filled_on: String,
    title: &'static str,
    phase: &'static str,
    filled_by: String,
}

pub async fn show_page(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let view = course_view(&user, &mut tx, addr, page, id, Entered::default()).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

/// What a lifecycle form brings back when it cannot be applied: the messages and the text
/// typed, so nothing is lost.
#[derive(Debug, Default)]
pub struct Entered {
    errors: FieldErrors,
    note: String,
    planned_end_on: String,
}

async fn course_view(
    user: &CurrentUser,
    tx: &mut TenantTx,
    addr: ClientAddr,
    page: Page,
    id: Uuid,
    entered: Entered,
) -> AppResult<ShowView> {
    let t = page.t;
    let (course, viewer) = visible_course(&mut *tx, user, id).await?;
    let participants = repo::participants(&mut *tx, id).await?;
    let sessions = repo::sessions(&mut *tx, id).await?;
    let events = repo::events(&mut *tx, id).await?;
    let filled = crate::tools::repo::for_course(&mut *tx, id).await?;
    let points = crate::tools::repo::measurements(&mut *tx, id).await?;
    let measured = due::Measured {
        last_rating_on: points
            .iter()
            .filter(|p| p.kind == "progress")
            .map(|p| p.measured_on)
            .max(),
        pre: points.iter().any(|p| p.kind == "wellbeing_pre"),
        post: points.iter().any(|p| p.kind == "wellbeing_post"),
    };
    let due = due::for_course(&course, &participants, &sessions, &measured, t);
    audit::record(
        &mut *tx,
        addr,
        Event::new("course_read")
            .course(id, course.municipality_id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;

    let name = display_name(t, &course, &participants);
    // A lent member works on another municipality's course: its coordinator moves it on.
    let lent = Some(course.municipality_id) != tx.scope().municipality_id();
    let transitions = if course.member_id.is_some() && !lent {
        course
            .state
            .next()
            .iter()
            .map(|to| Transition {
                to: to.code(),
                label: match to {
                    CourseState::Active if course.state == CourseState::Ending => {
                        t.courses.action_extend
                    }
                    other => other.label(t),
                },
                asks_goals: *to == CourseState::Ending,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut dates = vec![(t.common.referred_on, clock::format_date(course.referred_on))];
    for (label, date) in [
        (t.courses.matched_on, course.matched_on),
        (t.courses.started_on, course.started_on),
        (t.courses.planned_end_on, course.planned_end_on),
        (t.courses.ended_on, course.ended_on),
        (t.courses.closed_on, course.closed_on),
    ] {
        if let Some(date) = date {
            dates.push((label, clock::format_date(date)));
        }
    }
    let may_log = course.state.is_open() && course.member_id.is_some() && viewer.works_on(&course);
    Ok(ShowView {
        kind: course.kind.label(t),
        state: course.state.label(t),
        sessions: sessions
            .into_iter()
            .map(|s| {
                let kind = SessionKind::from_code(&s.kind).unwrap_or(SessionKind::Session);
                SessionRow {
                    id: s.id,
                    held_on: clock::format_date(s.held_on),
                    duration: s.duration_minutes,
                    kind: kind.label(t),
                    participants: s.participants,
                    notes: s.notes,
                    tools: s
                        .tools
                        .iter()
                        .map(|code| vocab::label(t, code))
                        .collect::<Vec<_>>()
                        .join(", "),
                    next_step: s.next_step,
                    logged_by: s.logged_by.unwrap_or_default(),
                    edited: s.version > 1,
                    unusual_duration: rules::unusual_duration(
                        course.kind,
                        kind,
                        i32::from(s.duration_minutes),
                    ),
                }
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| {
                let what = match (
                    e.kind.as_str(),
                    e.to_state.as_deref().and_then(CourseState::from_code),
                ) {
                    ("state" | "created" | "matched" | "cancelled", Some(state)) => {
                        state.label(t).to_string()
                    }
                    ("extended", _) => t.courses.action_extend.to_string(),
                    (other, _) => other.to_string(),
                };
                (e.at_local, e.actor.unwrap_or_default(), what, e.note)
            })
            .collect(),
        transitions,
        coordinator: viewer.coordinator,
        may_log,
        goals_options: vec![
            ("yes", t.courses.goals_yes),
            ("partly", t.courses.goals_partly),
            ("no", t.courses.goals_no),
        ],
        goals_reached: goals_label(t, course.goals_reached.as_deref()).to_string(),
        dates,
        show_handover: matches!(
            course.state,
            CourseState::Ending | CourseState::FollowUp | CourseState::Closed
        ),
        tools: crate::tools::for_kind(course.kind)
            .into_iter()
            .map(|tool| (tool.key, tool.title.get(page.locale), tool.phased))
            .collect(),
        filled: filled
            .into_iter()
            .filter_map(|a| {
                let tool = crate::tools::catalog::find(&a.tool)?;
                Some(FilledRow {
                    id: a.id,
                    filled_on: clock::format_date(a.filled_on),
                    title: tool.title.get(page.locale),
                    phase: match a.phase.as_deref() {
                        Some("pre") => t.common.phase_pre,
                        Some("post") => t.common.phase_post,
                        _ => "",
                    },
                    filled_by: a.filled_by.unwrap_or_default(),
                })
            })
            .collect(),
        progress: progress::build(&points, t),
        entered,
        due,
        participants,
        page: page
            .titled(name.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(name.clone(), format!("/forloeb/{id}")),
        name,
        course,
    })
}

#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    goals_reached: String,
    /// The ending and the extension forms name their note fields apart (unique ids).
    #[serde(default, alias = "note-ending", alias = "note-extension")]
    note: String,
    #[serde(default)]
    planned_end_on: String,
}

/// Moves a course on in its lifecycle (the member or the coordinator).
pub async fn transition(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<TransitionForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (course, viewer) = visible_course(&mut tx, &user, id).await?;
    if !viewer.works_on(&course) {
        return Err(AppError::Forbidden);
    }
    let back = format!("/forloeb/{id}");
    if course.state.code() == form.to {
        // A second click on the same button finds its work done.
        return Ok(Redirect::to(&back).into_response());
    }
    let to = CourseState::from_code(&form.to)
        .filter(|to| course.state.may_move_to(*to))
        .ok_or(AppError::Unprocessable)?;
    let today = clock::today();
    if to == CourseState::Ending {
        let Some(goals) = vocab::one_of(&form.goals_reached, &["yes", "partly", "no"]) else {
            let mut errors = FieldErrors::default();
            errors.add("goals-yes", t.courses.goals_required);
            let entered = Entered {
                errors,
                note: form.note.clone(),
                planned_end_on: form.planned_end_on.clone(),
            };
            let view = course_view(&user, &mut tx, addr, page, id, entered).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        };
        repo::record_ending(&mut tx, id, &goals, form.note.trim()).await?;
    }
    // Back from ending to active is an extension: decided, with a reason and a new end.
    let extension = course.state == CourseState::Ending && to == CourseState::Active;
    if extension {
        let planned_end = forms::parse_date(&form.planned_end_on).filter(|date| *date > today);
        let (Some(planned_end), false) = (planned_end, form.note.trim().is_empty()) else {
            let mut errors = FieldErrors::default();
            errors.add("planned_end_on", t.courses.extension_required);
            let entered = Entered {
                errors,
                note: form.note.clone(),
                planned_end_on: form.planned_end_on.clone(),
            };
            let view = course_view(&user, &mut tx, addr, page, id, entered).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        };
        repo::extend(&mut tx, id, planned_end).await?;
    }
    if !repo::set_state(&mut tx, id, course.state, to, today).await? {
        return Err(AppError::Conflict);
    }
    repo::event(
        &mut tx,
        id,
        if extension { "extended" } else { "state" },
        Some(course.state),
        Some(to),
        form.note.trim(),
    )
    .await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("course_state_changed")
            .course(id, course.municipality_id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "from": course.state.code(), "to": to.code() })),
    )
    .await?;
    tx.commit().await?;
    flash::push(
        &session,
        flash::Kind::Success,
        crate::i18n::fill(t.courses.course_moved, &[to.label(t)]),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

pub async fn cancel(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let t = page.t;
    let (course, _) = visible_course(&mut tx, &user, id).await?;
    let back = format!("/forloeb/{id}");
    if !course.state.is_open() {
        return Err(AppError::Conflict);
    }
    let reason = form.reason.trim();
    if reason.is_empty() {
        flash::push(
            &session,
            flash::Kind::Error,
            t.courses.cancel_reason_required,
        )
        .await?;
        return Ok(Redirect::to(&back).into_response());
    }
    if !repo::cancel(&mut tx, id, course.state, reason, clock::today()).await? {
        return Err(AppError::Conflict);
    }
    repo::event(
        &mut tx,
        id,
        "cancelled",
        Some(course.state),
        Some(CourseState::Cancelled),
        reason,
    )
    .await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("course_cancelled")
            .course(id, course.municipality_id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.courses.course_cancelled).await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/handover.html")]
struct HandoverView {
    page: Page,
    name: String,
    course: repo::Course,
    kind: &'static str,
    participants: Vec<repo::Participant>,
    consent: bool,
    sessions: Vec<(String, &'static str, String)>,
    session_count: usize,
    goals_reached: &'static str,
    started: String,
    ended: String,
    today: String,
    plan: Vec<crate::tools::form::SectionView>,
    plan_filled_on: String,
    progress: progress::Progress,
}

/// The printable summary for the caseworker who takes over — only what consent allows.
pub async fn handover_page(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let t = page.t;
    let (course, _) = visible_course(&mut tx, &user, id).await?;
    let participants = repo::participants(&mut tx, id).await?;
    let mut consent = !participants.is_empty();
    for participant in &participants {
        consent &= crate::citizens::repo::has_consent(&mut tx, participant.id, "handover").await?;
    }
    let (sessions, answers, points) = if consent {
        (
            repo::sessions(&mut tx, id).await?,
            crate::tools::repo::for_course(&mut tx, id).await?,
            crate::tools::repo::measurements(&mut tx, id).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    // The latest development and progress plan: its goals and steps as they stand now.
    let plan = answers
        .iter()
        .find(|a| a.tool == "development_plan")
        .and_then(|a| {
            let definition = crate::tools::catalog::DEVELOPMENT_PLAN.version(a.version)?;
            Some((
                clock::format_date(a.filled_on),
                crate::tools::read_only(definition, a, page.locale),
            ))
        });
    audit::record(
        &mut tx,
        addr,
        Event::new("handover_read")
            .course(id, course.municipality_id)
            .purpose("handover")
            .details(json!({ "consent": consent })),
    )
    .await?;
    tx.commit().await?;
    let name = display_name(t, &course, &participants);
    Ok(HandoverView {
        kind: course.kind.label(t),
        consent,
        session_count: sessions.len(),
        sessions: sessions
            .into_iter()
            .filter(|s| !s.next_step.is_empty())
            .map(|s| {
                (
                    clock::format_date(s.held_on),
                    SessionKind::from_code(&s.kind)
                        .unwrap_or(SessionKind::Session)
                        .label(t),
                    s.next_step,
                )
            })
            .collect(),
        goals_reached: goals_label(t, course.goals_reached.as_deref()),
        today: clock::format_date(clock::today()),
        started: course
            .started_on
            .map(clock::format_date)
            .unwrap_or_default(),
        ended: course.ended_on.map(clock::format_date).unwrap_or_default(),
        plan_filled_on: plan.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
        plan: plan.map(|p| p.1).unwrap_or_default(),
        progress: progress::build(&points, t),
        participants,
        page: page
            .titled(t.courses.handover_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(name.clone(), format!("/forloeb/{id}"))
            .crumb(
                t.courses.handover_title,
                format!("/forloeb/{id}/overdragelse"),
            ),
        name,
        course,
    }
    .into_response())
}
