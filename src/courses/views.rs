//! The course page and the handover summary as their templates show them.

use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::next_meeting::{self, MeetingForm};
use super::{Viewer, display_name, due, goals_label, progress, reference, repo, rules};
use crate::i18n::Messages;
use crate::tools::repo::{Filled, Point};
use crate::vocab::{CourseEventKind, CourseState, GoalsReached};
use crate::web::Page;
use crate::web::forms::FieldErrors;
use crate::{clock, tools, vocab};

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
    /// Back to active from ending extends the course: it asks for a new end and a note.
    extends: bool,
}

pub struct FilledRow {
    id: Uuid,
    filled_on: String,
    title: &'static str,
    phase: &'static str,
    filled_by: String,
}

/// What the lifecycle forms (move on, cancel) bring back when they cannot be applied: the
/// messages and the text typed, so nothing is lost.
#[derive(Debug, Default)]
pub struct Entered {
    pub errors: FieldErrors,
    pub note: String,
    pub planned_end_on: String,
    /// Why the course is cancelled.
    pub reason: String,
    /// The next-meeting form as typed (boxed: `Entered` travels in `Err`s).
    pub meeting: Option<Box<MeetingForm>>,
}

/// What the course page shows, as read.
pub struct Loaded {
    pub course: repo::Course,
    pub viewer: Viewer,
    /// The course is another municipality's, worked on by a lent member.
    pub lent: bool,
    pub participants: Vec<repo::Participant>,
    pub sessions: Vec<repo::Session>,
    pub events: Vec<repo::Event>,
    pub filled: Vec<Filled>,
    pub points: Vec<Point>,
    pub next_meeting: Option<repo::NextMeeting>,
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/show.html")]
pub struct ShowView {
    page: Page,
    pub course: repo::Course,
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
    /// "F-1A2B3C": how the calendar feed names the course.
    reference: String,
    /// The planned next meeting as the page shows it.
    next_meeting: Option<String>,
    /// The next-meeting form: as typed, or as planned.
    meeting: MeetingForm,
    /// The one-time key of the state forms (one of them is sent): a double click moves
    /// the course once, and tells a second click from someone else's move.
    state_key: String,
}

impl ShowView {
    pub fn new(page: Page, loaded: Loaded, entered: Entered) -> ShowView {
        let t = page.t;
        let Loaded {
            course,
            viewer,
            lent,
            participants,
            sessions,
            events,
            filled,
            points,
            next_meeting,
        } = loaded;
        let mut entered = entered;
        let meeting = entered
            .meeting
            .take()
            .map(|typed| *typed)
            .unwrap_or_else(|| MeetingForm::of(next_meeting.as_ref()));
        let id = course.id;
        let due = due::for_course(
            &course,
            &participants,
            &sessions,
            &due::Measured::of(&points),
            t,
        );
        let name = display_name(t, &course, &participants);
        ShowView {
            kind: course.kind.label(t),
            state: course.state.label(t),
            sessions: sessions
                .into_iter()
                .map(|s| session_row(t, &course, s))
                .collect(),
            events: events.into_iter().map(|e| event_row(t, e)).collect(),
            // A lent member works on another municipality's course: its coordinator
            // moves it on.
            transitions: if course.member_id.is_some() && !lent {
                transitions(t, course.state)
            } else {
                Vec::new()
            },
            coordinator: viewer.coordinator,
            may_log: course.state.is_open()
                && course.member_id.is_some()
                && viewer.works_on(&course),
            goals_options: GoalsReached::ALL
                .iter()
                .map(|goals| (goals.code(), goals.label(t)))
                .collect(),
            goals_reached: goals_label(t, course.goals_reached).to_string(),
            dates: dates(t, &course),
            show_handover: matches!(
                course.state,
                CourseState::Ending | CourseState::FollowUp | CourseState::Closed
            ),
            tools: tools::for_kind(course.kind)
                .into_iter()
                .map(|tool| (tool.key, tool.title.get(page.locale), tool.phased))
                .collect(),
            filled: filled
                .into_iter()
                .filter_map(|a| filled_row(&page, a))
                .collect(),
            progress: progress::build(&points, t),
            entered,
            reference: reference(id),
            next_meeting: next_meeting.as_ref().map(|m| next_meeting::describe(t, m)),
            meeting,
            state_key: Uuid::new_v4().to_string(),
            due,
            participants,
            page: page
                .titled(name.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(t.common.courses_title, "/forloeb")
                .crumb(name.clone(), format!("/forloeb/{id}")),
            name,
            course,
        }
    }
}

fn session_row(t: &'static Messages, course: &repo::Course, s: repo::Session) -> SessionRow {
    let kind = s.kind;
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
        unusual_duration: rules::unusual_duration(course.kind, kind, i32::from(s.duration_minutes)),
    }
}

/// (when, who, what, note) of the course's history.
fn event_row(t: &'static Messages, e: repo::Event) -> (String, String, String, String) {
    use CourseEventKind::*;
    let what = match (e.kind, e.to_state) {
        (State | Created | Matched | Cancelled, Some(state)) => state.label(t).to_string(),
        (Extended, _) => t.courses.action_extend.to_string(),
        (other, None) => other.code().to_string(),
    };
    (e.at_local, e.actor.unwrap_or_default(), what, e.note)
}

/// The lifecycle's next steps from `state`, each a form on the page.
fn transitions(t: &'static Messages, state: CourseState) -> Vec<Transition> {
    state
        .next()
        .iter()
        .map(|to| Transition {
            to: to.code(),
            label: match to {
                CourseState::Active if state == CourseState::Ending => t.courses.action_extend,
                other => other.label(t),
            },
            asks_goals: *to == CourseState::Ending,
            extends: *to == CourseState::Active && state == CourseState::Ending,
        })
        .collect()
}

/// The course's dates so far, from the referral on.
fn dates(t: &'static Messages, course: &repo::Course) -> Vec<(&'static str, String)> {
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
    dates
}

/// A filled tool as the page lists it; `None` for a tool no longer in the catalogue.
fn filled_row(page: &Page, a: Filled) -> Option<FilledRow> {
    let t = page.t;
    let tool = tools::catalog::find(&a.tool)?;
    Some(FilledRow {
        id: a.id,
        filled_on: clock::format_date(a.filled_on),
        title: tool.title.get(page.locale),
        phase: a.phase.map_or("", |phase| phase.label(t)),
        filled_by: a.filled_by.unwrap_or_default(),
    })
}

/// What the handover shows of the course's work: nothing without consent.
#[derive(Default)]
pub struct Handed {
    pub sessions: Vec<repo::Session>,
    pub answers: Vec<Filled>,
    pub points: Vec<Point>,
}

#[derive(Template, WebTemplate)]
#[template(path = "courses/handover.html")]
pub struct HandoverView {
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
    plan: Vec<tools::form::SectionView>,
    plan_filled_on: String,
    progress: progress::Progress,
}

impl HandoverView {
    pub fn new(
        page: Page,
        course: repo::Course,
        participants: Vec<repo::Participant>,
        consent: bool,
        handed: Handed,
    ) -> HandoverView {
        let t = page.t;
        let id = course.id;
        // The latest development and progress plan: its goals and steps as they stand now.
        let plan = handed
            .answers
            .iter()
            .find(|a| a.tool == "development_plan")
            .and_then(|a| {
                let definition = tools::catalog::DEVELOPMENT_PLAN.version(a.version)?;
                Some((
                    clock::format_date(a.filled_on),
                    tools::read_only(definition, a, page.locale),
                ))
            });
        let name = display_name(t, &course, &participants);
        HandoverView {
            kind: course.kind.label(t),
            consent,
            session_count: handed.sessions.len(),
            sessions: handed
                .sessions
                .into_iter()
                .filter(|s| !s.next_step.is_empty())
                .map(|s| (clock::format_date(s.held_on), s.kind.label(t), s.next_step))
                .collect(),
            goals_reached: goals_label(t, course.goals_reached),
            today: clock::format_date(clock::today()),
            started: course
                .started_on
                .map(clock::format_date)
                .unwrap_or_default(),
            ended: course.ended_on.map(clock::format_date).unwrap_or_default(),
            plan_filled_on: plan.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            plan: plan.map(|p| p.1).unwrap_or_default(),
            progress: progress::build(&handed.points, t),
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
    }
}
