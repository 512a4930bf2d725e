//! Due and overdue items for start pages and course pages: the course rules applied to
//! what is recorded, and the coordinator's monthly coaching.

use time::Date;
use uuid::Uuid;

use super::repo;
use super::rules::{self, CourseFacts, DueItem, DueKind, Urgency};
use crate::clock;
use crate::db::TenantTx;
use crate::i18n::{Messages, fill};
use crate::vocab::MeasurementKind;

/// What the LAT tools have measured on a course, as the rules need it.
pub struct Measured {
    pub last_rating_on: Option<Date>,
    pub pre: bool,
    pub post: bool,
}

impl Measured {
    /// From a course's measurements: the latest progress rating, and whether the pre and
    /// the post wellbeing measurement have been made.
    pub fn of(points: &[crate::tools::repo::Point]) -> Measured {
        Measured {
            last_rating_on: points
                .iter()
                .filter(|p| p.kind == MeasurementKind::Progress)
                .map(|p| p.measured_on)
                .max(),
            pre: points
                .iter()
                .any(|p| p.kind == MeasurementKind::WellbeingPre),
            post: points
                .iter()
                .any(|p| p.kind == MeasurementKind::WellbeingPost),
        }
    }
}

pub struct DueRow {
    /// The course the item is about (none: a member's coaching).
    pub course_id: Option<Uuid>,
    pub href: String,
    pub course: String,
    pub member: String,
    pub text: String,
    pub urgency: Urgency,
    pub due_on: Date,
    pub when: String,
}

impl DueRow {
    /// The dkfds badge modifier.
    pub fn css(&self) -> &'static str {
        match self.urgency {
            Urgency::Overdue => "badge-error",
            Urgency::DueSoon => "badge-warning",
            Urgency::Warning => "badge-info",
        }
    }

    pub fn urgency_label(&self, t: &'static Messages) -> &'static str {
        match self.urgency {
            Urgency::Overdue => t.common.due_overdue,
            Urgency::DueSoon => t.common.due_soon,
            Urgency::Warning => t.courses.due_warning,
        }
    }
}

pub fn text(t: &'static Messages, kind: DueKind) -> &'static str {
    match kind {
        DueKind::WeeklyContact => t.courses.due_weekly_contact,
        DueKind::PreMeeting => t.courses.due_pre_meeting,
        DueKind::CoachingInterval => t.courses.due_coaching_interval,
        DueKind::TooFewCoachingSessions => t.courses.due_too_few_coaching,
        DueKind::NetworkInterval => t.courses.due_network_interval,
        DueKind::TooFewNetworkMeetings => t.courses.due_too_few_network,
        DueKind::NetworkSize => t.courses.due_network_size,
        DueKind::FollowUp3 => t.courses.due_follow_up_3,
        DueKind::FollowUp6 => t.courses.due_follow_up_6,
        DueKind::ProgressRating => t.courses.due_progress_rating,
        DueKind::PreMeasurement => t.courses.due_pre_measurement,
        DueKind::PostMeasurement => t.courses.due_post_measurement,
    }
}

fn row(
    t: &'static Messages,
    item: DueItem,
    href: String,
    course: String,
    member: String,
) -> DueRow {
    let when = match item.urgency {
        Urgency::Warning => String::new(),
        Urgency::Overdue => fill(t.courses.due_since, &[&clock::format_date(item.due_on)]),
        Urgency::DueSoon => fill(t.courses.due_by, &[&clock::format_date(item.due_on)]),
    };
    DueRow {
        course_id: None,
        href,
        course,
        member,
        text: text(t, item.kind).to_string(),
        urgency: item.urgency,
        due_on: item.due_on,
        when,
    }
}

/// Most urgent first: overdue (longest overdue first), then due soon, then warnings.
pub fn sort(rows: &mut [DueRow]) {
    rows.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then(a.due_on.cmp(&b.due_on))
            .then(a.course.cmp(&b.course))
    });
}

/// Items of one course, from what the course page has loaded already.
pub fn for_course(
    course: &repo::Course,
    participants: &[repo::Participant],
    sessions: &[repo::Session],
    measured: &Measured,
    t: &'static Messages,
) -> Vec<DueRow> {
    let facts = CourseFacts {
        kind: course.kind,
        state: course.state,
        matched_on: course.matched_on,
        started_on: course.started_on,
        ended_on: course.ended_on,
        participants: participants.len() as i64,
        sessions: sessions.iter().map(|s| (s.held_on, s.kind)).collect(),
        last_rating_on: Some(measured.last_rating_on),
        measured_pre: measured.pre,
        measured_post: measured.post,
    };
    let mut rows: Vec<DueRow> = rules::due_items(&facts, clock::today())
        .into_iter()
        .map(|item| {
            row(
                t,
                item,
                format!("/forloeb/{}", course.id),
                String::new(),
                String::new(),
            )
        })
        .collect();
    sort(&mut rows);
    rows
}

/// What the rules need, from a row of `repo::open_course_facts`.
pub fn facts_of(course: &repo::FactsRow) -> CourseFacts {
    CourseFacts {
        kind: course.kind,
        state: course.state,
        matched_on: course.matched_on,
        started_on: course.started_on,
        ended_on: course.ended_on,
        participants: course.participants,
        sessions: course
            .session_dates
            .iter()
            .zip(&course.session_kinds)
            .map(|(date, kind)| (*date, *kind))
            .collect(),
        last_rating_on: Some(course.last_rating_on),
        measured_pre: course.measured_pre,
        measured_post: course.measured_post,
    }
}

/// Items of every open course of `member` (or of the municipality), most urgent first.
pub async fn for_courses(
    tx: &mut TenantTx,
    member: Option<Uuid>,
    t: &'static Messages,
) -> Result<Vec<DueRow>, sqlx::Error> {
    let today = clock::today();
    let mut rows = Vec::new();
    for course in repo::open_course_facts(tx, member).await? {
        let facts = facts_of(&course);
        let kind = facts.kind;
        let name = super::course_name(
            t,
            kind,
            &course.title,
            course.citizens.as_deref().unwrap_or_default(),
        );
        for item in rules::due_items(&facts, today) {
            rows.push(DueRow {
                course_id: Some(course.id),
                ..row(
                    t,
                    item,
                    format!("/forloeb/{}", course.id),
                    name.clone(),
                    course.member_name.clone().unwrap_or_default(),
                )
            });
        }
    }
    sort(&mut rows);
    Ok(rows)
}

/// Members with active courses whom the coordinator has not coached this month
/// (coordinator guide §3: at least once a month).
pub async fn coaching_due(
    tx: &mut TenantTx,
    t: &'static Messages,
) -> Result<Vec<DueRow>, sqlx::Error> {
    let today = clock::today();
    let month_start = today.replace_day(1).expect("day 1 exists");
    let month_end = rules::add_months(month_start, 1) - time::Duration::days(1);
    let members = crate::coaching::repo::uncoached_members(tx, month_start).await?;
    Ok(members
        .into_iter()
        .map(|m| DueRow {
            course_id: None,
            href: format!("/coaching?member={}", m.id),
            course: String::new(),
            text: fill(t.courses.due_coaching, &[&m.name]),
            member: m.name,
            urgency: Urgency::DueSoon,
            due_on: month_end,
            when: fill(t.courses.due_by, &[&clock::format_date(month_end)]),
        })
        .collect())
}
