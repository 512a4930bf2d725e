//! Courses (forløb) of the three kinds: the list, the course page with its due items,
//! sessions and history, the lifecycle, and the printable handover summary.

pub mod due;
mod next_meeting;
pub mod notify;
pub mod progress;
pub mod repo;
pub mod rules;
mod sessions;
mod tool_pages;
mod views;

pub use sessions::{edit_session_page, log_session, new_session_page, update_session};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::Date;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::Role;
use crate::vocab::{CitizenKind, CourseEventKind, CourseKind, CourseState, GoalsReached};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, COURSE_WORK, Route};
use crate::web::table::{self, List, ListSpec, Sort};
use rules::{Step, StepRefused};
use views::{Entered, Handed, HandoverView, ShowView};

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
        Route::post(
            "/forloeb/{id}/naeste-moede",
            COURSE_WORK,
            next_meeting::set_next_meeting,
        ),
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

/// Why nothing may be recorded on course `id` now: a participant's consent to take part
/// is missing or withdrawn (PRODUCT.md, consents). The message names them; `None`: go on.
pub async fn consent_refusal(
    tx: &mut TenantTx,
    id: Uuid,
    t: &'static Messages,
) -> AppResult<Option<String>> {
    let missing = repo::participation_missing(tx, id).await?;
    if missing.is_empty() {
        return Ok(None);
    }
    let names = repo::participants(tx, id)
        .await?
        .into_iter()
        .filter(|p| missing.contains(&p.id))
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Some(crate::i18n::fill(
        t.courses.consent_missing,
        &[&names],
    )))
}

/// The course's reference, "F-1A2B3C": how a course is named where no citizen may be
/// named (calendar feeds, mails). The last six hex digits of its id: ids are UUIDv7,
/// whose first digits are the time of creation and would be the same for every course
/// opened within a few hours; the last ones are random.
pub fn reference(id: Uuid) -> String {
    let hex = id.simple().to_string();
    format!("F-{}", hex[hex.len() - 6..].to_uppercase())
}

/// The label of a course's "were the goals reached" answer ("" when not answered).
pub fn goals_label(t: &'static Messages, goals: Option<GoalsReached>) -> &'static str {
    goals.map_or("", |goals| goals.label(t))
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
    reads: Reads,
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
        kind: CourseKind::from_code(query.filter("kind")),
        state: CourseState::from_code(query.filter("state")),
        open_only: query.filter("state") == "open",
        member_id: if viewer.coordinator {
            query.filter("member").parse::<Uuid>().ok()
        } else {
            viewer.only_member()
        },
        q: query.q(),
    };
    let (column, descending) = (query.sort.column, query.sort.descending);
    let list = table::load!(query, |limit, offset| repo::list(
        &mut tx, &filter, column, descending, limit, offset
    ));
    let members = if viewer.coordinator {
        crate::corps::repo::options(&mut tx).await?
    } else {
        Vec::new()
    };
    reads.citizens(
        &tx,
        Event::new("course_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({
                "page": "/forloeb",
                "q": filter.q,
                "kind": query.filter("kind"),
                "state": query.filter("state"),
                "member": query.filter("member"),
            })),
        list.rows
            .iter()
            .flat_map(|row| row.citizen_ids.iter().copied()),
    );
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
        .map(|row| ListRow {
            id: row.id,
            name: if row.title.is_empty() {
                row.citizens.clone().unwrap_or_default()
            } else {
                row.title.clone()
            },
            kind: row.kind.label(t),
            state: row.state.label(t),
            member: row.member_name.unwrap_or_default(),
            referred_on: clock::format_date(row.referred_on),
            last_session: row.last_session.map(clock::format_date).unwrap_or_default(),
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
    Done::to(location)
        .audit(
            Event::new("course_created")
                .subject("course", id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "citizen": citizen_id })),
        )
        .said(t.courses.course_created)
        .finish(tx, addr, &session)
        .await
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

/// The new network form. It lists the municipality's relatives: a read of each.
async fn network_view(
    tx: &mut TenantTx,
    reads: &Reads,
    page: Page,
    form: NetworkForm,
    errors: FieldErrors,
) -> AppResult<NewNetworkView> {
    let t = page.t;
    let relatives = crate::citizens::repo::choices(tx, CitizenKind::Relative).await?;
    reads.citizens(
        tx,
        Event::new("citizen_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "page": "new_network" })),
        relatives.iter().map(|r| r.id),
    );
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

pub async fn new_network_page(mut tx: TenantTx, reads: Reads, page: Page) -> AppResult<Response> {
    let view = network_view(
        &mut tx,
        &reads,
        page,
        NetworkForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(view.into_response())
}

pub async fn create_network(
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
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
    let relatives = crate::citizens::repo::choices(&mut tx, CitizenKind::Relative).await?;
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
        let view = network_view(&mut tx, &reads, page, form, errors).await?;
        return Ok(forms::invalid(view));
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
    let message = if (8..=15).contains(&participants.len()) {
        t.courses.course_created.to_string()
    } else {
        format!(
            "{} {}",
            t.courses.course_created, t.courses.network_size_warning
        )
    };
    Done::to(location)
        .audit(
            Event::new("course_created")
                .subject("course", id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "participants": participants.len() })),
        )
        .said(message)
        .finish(tx, addr, &session)
        .await
}

pub async fn show_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let view = course_page(&mut tx, &reads, &user, page, id, Entered::default()).await?;
    Ok(view.into_response())
}

/// Logs `event` as a read of every citizen taking part in the courses `shown` (each with
/// the municipality it belongs to): a page that names courses by their citizens.
pub async fn log_courses_shown(
    tx: &mut TenantTx,
    reads: &Reads,
    event: Event<'_>,
    shown: &[(Uuid, Uuid)],
) -> AppResult<()> {
    if shown.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = shown.iter().map(|(id, _)| *id).collect();
    let pairs = repo::participant_ids(tx, &ids).await?;
    for (course, owner) in shown {
        reads.citizens(
            tx,
            event.clone().course(*course, *owner),
            pairs.iter().filter(|p| p.0 == *course).map(|p| p.1),
        );
    }
    Ok(())
}

/// The audit entry of a view of course `id` of municipality `owner`.
fn course_read(id: Uuid, owner: Uuid) -> Event<'static> {
    Event::new("course_read")
        .course(id, owner)
        .purpose(PURPOSE_CASEWORK)
}

/// The course page with its lifecycle forms as `entered` holds them: the page itself, and
/// the answer to a lifecycle form that cannot be applied. Logs a read of each participant.
async fn course_page(
    tx: &mut TenantTx,
    reads: &Reads,
    user: &CurrentUser,
    page: Page,
    id: Uuid,
    entered: Entered,
) -> AppResult<ShowView> {
    let (course, viewer) = visible_course(&mut *tx, user, id).await?;
    let participants = repo::participants(&mut *tx, id).await?;
    reads.citizens(
        tx,
        course_read(id, course.municipality_id),
        participants.iter().map(|p| p.id),
    );
    let loaded = views::Loaded {
        lent: Some(course.municipality_id) != tx.scope().municipality_id(),
        participants,
        sessions: repo::sessions(&mut *tx, id).await?,
        events: repo::events(&mut *tx, id).await?,
        filled: crate::tools::repo::for_course(&mut *tx, id).await?,
        points: crate::tools::repo::measurements(&mut *tx, id).await?,
        next_meeting: repo::next_meeting(&mut *tx, id).await?,
        course,
        viewer,
    };
    Ok(ShowView::new(page, loaded, entered))
}

/// The course page again (422) with what was typed into a lifecycle form and its
/// message. Nothing of the form is written; the view is logged as a read, as `show_page`
/// logs it.
async fn again(
    mut tx: TenantTx,
    reads: &Reads,
    user: &CurrentUser,
    page: Page,
    id: Uuid,
    entered: Entered,
) -> AppResult<Response> {
    let view = course_page(&mut tx, reads, user, page, id, entered).await?;
    Ok(forms::invalid(view))
}

/// The course page as it is now after someone else changed its state while this user had
/// it open (409): what was typed kept, the message at the top, nothing saved.
async fn moved_meanwhile(
    mut tx: TenantTx,
    reads: &Reads,
    user: &CurrentUser,
    page: Page,
    course: &repo::Course,
    mut entered: Entered,
) -> AppResult<Response> {
    let t = page.t;
    entered.errors.add(
        "status",
        crate::i18n::fill(t.courses.course_moved_meanwhile, &[course.state.label(t)]),
    );
    let view = course_page(&mut tx, reads, user, page, course.id, entered).await?;
    Ok(forms::stale(view))
}

#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    /// The state the page showed: another state now means someone moved the course.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    goals_reached: String,
    /// The ending and the extension forms name their note fields apart (unique ids).
    #[serde(default, alias = "note-ending", alias = "note-extension")]
    note: String,
    #[serde(default)]
    planned_end_on: String,
    #[serde(default)]
    form_key: Option<Uuid>,
}

impl TransitionForm {
    /// The step from `from` to `to` with this form's answers, or the form as typed with
    /// the message at the field it concerns.
    fn step(
        &self,
        (from, to): (CourseState, CourseState),
        today: Date,
        t: &'static Messages,
    ) -> Result<Step, Entered> {
        let planned_end = forms::parse_date(&self.planned_end_on);
        rules::step(
            from,
            to,
            &self.goals_reached,
            &self.note,
            planned_end,
            today,
        )
        .map_err(|refused| {
            let mut entered = Entered {
                note: self.note.clone(),
                planned_end_on: self.planned_end_on.clone(),
                ..Entered::default()
            };
            match refused {
                StepRefused::GoalsMissing => {
                    entered.errors.add("goals-yes", t.courses.goals_required)
                }
                StepRefused::ExtensionIncomplete => entered
                    .errors
                    .add("planned_end_on", t.courses.extension_required),
            }
            entered
        })
    }
}

/// Moves a course on in its lifecycle (the member or the coordinator).
pub async fn transition(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<TransitionForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, viewer) = visible_course(&mut tx, &user, id).await?;
    if !viewer.works_on(&course) {
        return Err(AppError::Forbidden);
    }
    let back = format!("/forloeb/{id}");
    // A second click on the same button finds its work done; without the page's key (an
    // older page) a move to the state the course is in counts as that second click.
    match form.form_key {
        Some(key) => {
            if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
                return Ok(Redirect::to(&location).into_response());
            }
            forms::complete(&mut tx, key, &back).await?;
        }
        None if course.state.code() == form.to.as_str() => {
            return Ok(Redirect::to(&back).into_response());
        }
        None => {}
    }
    if !form.from.is_empty() && form.from != course.state.code() {
        let entered = Entered {
            note: form.note.clone(),
            planned_end_on: form.planned_end_on.clone(),
            ..Entered::default()
        };
        return moved_meanwhile(tx, &reads, &user, page, &course, entered).await;
    }
    let to = CourseState::from_code(&form.to)
        .filter(|to| course.state.may_move_to(*to))
        .ok_or(AppError::Unprocessable)?;
    let today = clock::today();
    let step = match form.step((course.state, to), today, t) {
        Ok(step) => step,
        Err(entered) => return again(tx, &reads, &user, page, id, entered).await,
    };
    let note = form.note.trim();
    match step {
        Step::Ending { goals_reached } => {
            repo::record_ending(&mut tx, id, goals_reached, note).await?
        }
        Step::Extension { planned_end } => repo::extend(&mut tx, id, planned_end).await?,
        Step::Plain => {}
    }
    if !repo::set_state(&mut tx, id, course.state, to, today).await? {
        return Err(AppError::Conflict);
    }
    let kind = match step {
        Step::Extension { .. } => CourseEventKind::Extended,
        _ => CourseEventKind::State,
    };
    repo::event(&mut tx, id, kind, Some(course.state), Some(to), note).await?;
    Done::to(back)
        .audit(
            Event::new("course_state_changed")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "from": course.state.code(), "to": to.code() })),
        )
        .said(crate::i18n::fill(t.courses.course_moved, &[to.label(t)]))
        .finish(tx, addr, &session)
        .await
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    form_key: Option<Uuid>,
}

impl CancelForm {
    /// Why the course is cancelled (required), or the form as typed with its message.
    fn reason(&self, t: &'static Messages) -> Result<&str, Entered> {
        let reason = self.reason.trim();
        if !reason.is_empty() {
            return Ok(reason);
        }
        let mut entered = Entered {
            reason: self.reason.clone(),
            ..Entered::default()
        };
        entered
            .errors
            .add("reason", t.courses.cancel_reason_required);
        Err(entered)
    }
}

pub async fn cancel(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, _) = visible_course(&mut tx, &user, id).await?;
    if let Some(key) = form.form_key {
        if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
            return Ok(Redirect::to(&location).into_response());
        }
        forms::complete(&mut tx, key, &format!("/forloeb/{id}")).await?;
    }
    if !course.state.is_open() {
        let entered = Entered {
            reason: form.reason.clone(),
            ..Entered::default()
        };
        return moved_meanwhile(tx, &reads, &user, page, &course, entered).await;
    }
    let reason = match form.reason(t) {
        Ok(reason) => reason,
        Err(entered) => return again(tx, &reads, &user, page, id, entered).await,
    };
    if !repo::cancel(&mut tx, id, course.state, reason, clock::today()).await? {
        return Err(AppError::Conflict);
    }
    let cancelled = Some(CourseState::Cancelled);
    repo::event(
        &mut tx,
        id,
        CourseEventKind::Cancelled,
        Some(course.state),
        cancelled,
        reason,
    )
    .await?;
    Done::to(format!("/forloeb/{id}"))
        .audit(
            Event::new("course_cancelled")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK),
        )
        .said(t.courses.course_cancelled)
        .finish(tx, addr, &session)
        .await
}

/// The printable summary for the caseworker who takes over — only what consent allows.
pub async fn handover_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (course, _) = visible_course(&mut tx, &user, id).await?;
    let participants = repo::participants(&mut tx, id).await?;
    let mut consents = Vec::new();
    for participant in &participants {
        consents
            .push(crate::citizens::repo::has_consent(&mut tx, participant.id, "handover").await?);
    }
    let consent = rules::may_hand_over(&consents);
    let handed = if consent {
        Handed {
            sessions: repo::sessions(&mut tx, id).await?,
            answers: crate::tools::repo::for_course(&mut tx, id).await?,
            points: crate::tools::repo::measurements(&mut tx, id).await?,
        }
    } else {
        Handed::default()
    };
    reads.citizens(
        &tx,
        Event::new("handover_read")
            .course(id, course.municipality_id)
            .purpose("handover")
            .details(json!({ "consent": consent })),
        participants.iter().map(|p| p.id),
    );
    Ok(HandoverView::new(page, course, participants, consent, handed).into_response())
}
