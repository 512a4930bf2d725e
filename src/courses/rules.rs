//! The course rules of the 2015 guide (annex 2) and the coordinator guide, as plain
//! functions: a course and its sessions in, due and overdue items out.
//!
//! - Mentor course: at least weekly contact between mentor and mentee.
//! - Parent coaching: a pre-meeting (formøde); at least three coaching sessions no more
//!   than two months apart, each typically 1½–2 hours; follow-up meetings three and six
//!   months after the end.
//! - Relatives' network: at least four network meetings two to three months apart, with
//!   about 8–15 participants.
//! - Every active course: a progress rating at least every two months (measured with the
//!   LAT tools; until they record ratings, `last_rating_on` is `None` and the rule waits).

use time::{Date, Duration};

use crate::vocab::{CourseKind, CourseState, GoalsReached, SessionKind};

/// What the rules need to know about a course.
#[derive(Debug, Clone)]
pub struct CourseFacts {
    pub kind: CourseKind,
    pub state: CourseState,
    pub matched_on: Option<Date>,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub participants: i64,
    /// (date, kind) of every session, any order.
    pub sessions: Vec<(Date, SessionKind)>,
    /// The latest progress rating; `None` while progress is not rated in Korps.
    pub last_rating_on: Option<Option<Date>>,
    /// Whether the pre and the post measurement have been made.
    pub measured_pre: bool,
    pub measured_post: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    DueSoon,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueKind {
    /// Mentor course: no contact for more than 7 days.
    WeeklyContact,
    /// Parent coaching, network: the pre-meeting has not been held.
    PreMeeting,
    /// Parent coaching: more than two months since the last coaching session.
    CoachingInterval,
    /// Parent coaching ending with fewer than three coaching sessions.
    TooFewCoachingSessions,
    /// Network: more than three months since the last network meeting.
    NetworkInterval,
    /// Network ending with fewer than four network meetings.
    TooFewNetworkMeetings,
    /// Network with fewer than 8 or more than 15 participants.
    NetworkSize,
    /// Follow-up meeting three months after the end.
    FollowUp3,
    /// Follow-up meeting six months after the end.
    FollowUp6,
    /// No progress rating for more than two months.
    ProgressRating,
    /// The pre measurement (wellbeing, life mastery) is due at the start.
    PreMeasurement,
    /// The post measurement is due at the end.
    PostMeasurement,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub kind: DueKind,
    pub urgency: Urgency,
    /// When it is or was due.
    pub due_on: Date,
}

/// How far ahead an item counts as "due soon".
const SOON: Duration = Duration::days(7);

pub fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).expect("valid month");
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).expect("valid date")
}

fn item(kind: DueKind, due_on: Date, today: Date) -> Option<DueItem> {
    item_within(kind, due_on, today, SOON)
}

/// Overdue after `due_on`; due soon within `soon` before it.
fn item_within(kind: DueKind, due_on: Date, today: Date, soon: Duration) -> Option<DueItem> {
    if due_on < today {
        Some(DueItem {
            kind,
            urgency: Urgency::Overdue,
            due_on,
        })
    } else if due_on <= today + soon {
        Some(DueItem {
            kind,
            urgency: Urgency::DueSoon,
            due_on,
        })
    } else {
        None
    }
}

fn last_of(facts: &CourseFacts, kinds: &[SessionKind]) -> Option<Date> {
    facts
        .sessions
        .iter()
        .filter(|(_, kind)| kinds.contains(kind))
        .map(|(date, _)| *date)
        .max()
}

fn count_of(facts: &CourseFacts, kind: SessionKind) -> usize {
    facts.sessions.iter().filter(|(_, k)| *k == kind).count()
}

/// The due, overdue and warning items of one course on `today`.
pub fn due_items(facts: &CourseFacts, today: Date) -> Vec<DueItem> {
    use CourseState::*;
    let mut items = Vec::new();
    let in_work = matches!(facts.state, Active | Ending);
    match facts.kind {
        CourseKind::Mentor => {
            if facts.state == Active {
                // Any contact with the mentee counts; a meeting among professionals does not.
                let contact = [
                    SessionKind::Session,
                    SessionKind::PhoneOnline,
                    SessionKind::PreMeeting,
                    SessionKind::NetworkMeeting,
                ];
                let since = last_of(facts, &contact)
                    .into_iter()
                    .chain(facts.started_on)
                    .max();
                if let Some(since) = since {
                    // Weekly contact is always at most a week away: warn only in the
                    // last two days, or every course would always be "due soon".
                    items.extend(item_within(
                        DueKind::WeeklyContact,
                        since + Duration::days(7),
                        today,
                        Duration::days(2),
                    ));
                }
            }
        }
        CourseKind::ParentCoaching | CourseKind::RelativesNetwork => {
            if matches!(facts.state, Matched | PreMeeting)
                && count_of(facts, SessionKind::PreMeeting) == 0
            {
                // The pre-meeting is due within two weeks of the match.
                if let Some(matched) = facts.matched_on {
                    items.extend(item(
                        DueKind::PreMeeting,
                        matched + Duration::days(14),
                        today,
                    ));
                }
            }
        }
    }
    if facts.kind == CourseKind::ParentCoaching {
        if facts.state == Active {
            let since = last_of(facts, &[SessionKind::Session])
                .into_iter()
                .chain(facts.started_on)
                .max();
            if let Some(since) = since {
                items.extend(item(DueKind::CoachingInterval, add_months(since, 2), today));
            }
        }
        if facts.state == Ending && count_of(facts, SessionKind::Session) < 3 {
            items.push(DueItem {
                kind: DueKind::TooFewCoachingSessions,
                urgency: Urgency::Warning,
                due_on: today,
            });
        }
        if let (FollowUp | Ending, Some(ended)) = (facts.state, facts.ended_on) {
            let follow_ups: Vec<Date> = facts
                .sessions
                .iter()
                .filter(|(date, kind)| *kind == SessionKind::FollowUp && *date > ended)
                .map(|(date, _)| *date)
                .collect();
            // The first follow-up after the end answers the three-month meeting, the
            // second the six-month meeting.
            if follow_ups.is_empty() {
                items.extend(item(DueKind::FollowUp3, add_months(ended, 3), today));
            } else if follow_ups.len() == 1 {
                items.extend(item(DueKind::FollowUp6, add_months(ended, 6), today));
            }
        }
    }
    if facts.kind == CourseKind::RelativesNetwork {
        if facts.state == Active {
            let since = last_of(facts, &[SessionKind::NetworkMeeting])
                .into_iter()
                .chain(facts.started_on)
                .max();
            if let Some(since) = since {
                // Meetings two to three months apart: due at two months, overdue after three.
                let due = add_months(since, 3);
                if due < today {
                    items.push(DueItem {
                        kind: DueKind::NetworkInterval,
                        urgency: Urgency::Overdue,
                        due_on: due,
                    });
                } else if add_months(since, 2) <= today + SOON {
                    items.push(DueItem {
                        kind: DueKind::NetworkInterval,
                        urgency: Urgency::DueSoon,
                        // Once the two months have passed, the deadline is the three.
                        due_on: add_months(since, 2).max(today).min(due),
                    });
                }
            }
        }
        if facts.state == Ending && count_of(facts, SessionKind::NetworkMeeting) < 4 {
            items.push(DueItem {
                kind: DueKind::TooFewNetworkMeetings,
                urgency: Urgency::Warning,
                due_on: today,
            });
        }
        if !matches!(facts.state, Closed | Cancelled) && !(8..=15).contains(&facts.participants) {
            items.push(DueItem {
                kind: DueKind::NetworkSize,
                urgency: Urgency::Warning,
                due_on: today,
            });
        }
    }
    // Pre measurement within a month of the start; post measurement within two weeks of
    // the end.
    if in_work && !facts.measured_pre {
        if let Some(started) = facts.started_on {
            items.extend(item(
                DueKind::PreMeasurement,
                started + Duration::days(30),
                today,
            ));
        }
    }
    if matches!(facts.state, Ending | FollowUp) && !facts.measured_post {
        if let Some(ended) = facts.ended_on {
            items.extend(item(
                DueKind::PostMeasurement,
                ended + Duration::days(14),
                today,
            ));
        }
    }
    if in_work {
        if let Some(last_rating) = facts.last_rating_on {
            let since = last_rating.into_iter().chain(facts.started_on).max();
            if let Some(since) = since {
                items.extend(item(DueKind::ProgressRating, add_months(since, 2), today));
            }
        }
    }
    items
}

/// Whether a session's length is outside the typical 1½–2 hours of a coaching session
/// or network meeting (a warning, never a block).
pub fn unusual_duration(course: CourseKind, kind: SessionKind, minutes: i32) -> bool {
    let counts = matches!(
        (course, kind),
        (CourseKind::ParentCoaching, SessionKind::Session)
            | (CourseKind::RelativesNetwork, SessionKind::NetworkMeeting)
    );
    counts && !(90..=120).contains(&minutes)
}

/// What a step in a course's lifecycle records besides the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Ending, with the answer to "were the goals reached".
    Ending { goals_reached: GoalsReached },
    /// Back from ending to active: an extension, with the new expected end.
    Extension { planned_end: Date },
    /// Any other step: the state alone.
    Plain,
}

/// Why a step cannot be taken with what the form says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepRefused {
    /// Ending asks whether the goals were reached.
    GoalsMissing,
    /// An extension is decided: with a reason and a new end after today.
    ExtensionIncomplete,
}

/// The step from `from` to `to` (a move the lifecycle allows) with the form's answers:
/// `goals_reached`, the `note`, and the `planned_end` it gives.
pub fn step(
    from: CourseState,
    to: CourseState,
    goals_reached: &str,
    note: &str,
    planned_end: Option<Date>,
    today: Date,
) -> Result<Step, StepRefused> {
    if to == CourseState::Ending {
        return GoalsReached::from_code(goals_reached)
            .map(|goals_reached| Step::Ending { goals_reached })
            .ok_or(StepRefused::GoalsMissing);
    }
    if from == CourseState::Ending && to == CourseState::Active {
        return match planned_end.filter(|end| *end > today) {
            Some(planned_end) if !note.trim().is_empty() => Ok(Step::Extension { planned_end }),
            _ => Err(StepRefused::ExtensionIncomplete),
        };
    }
    Ok(Step::Plain)
}

/// Whether a course may be handed over: every participant has consented to it (and there
/// is someone to hand over).
pub fn may_hand_over(consents: &[bool]) -> bool {
    !consents.is_empty() && consents.iter().all(|given| *given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CourseKind::*;
    use SessionKind as S;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn facts(kind: CourseKind, state: CourseState) -> CourseFacts {
        CourseFacts {
            kind,
            state,
            matched_on: Some(date!(2026 - 01 - 05)),
            started_on: Some(date!(2026 - 01 - 10)),
            ended_on: None,
            participants: 1,
            sessions: Vec::new(),
            last_rating_on: None,
            measured_pre: true,
            measured_post: true,
        }
    }

    fn kinds(items: &[DueItem]) -> Vec<(DueKind, Urgency)> {
        items.iter().map(|i| (i.kind, i.urgency)).collect()
    }

    #[test]
    fn months_are_added_calendar_wise() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
        assert_eq!(add_months(date!(2026 - 03 - 15), -3), date!(2025 - 12 - 15));
    }

    #[test]
    fn a_mentor_course_needs_contact_every_week() {
        let mut f = facts(Mentor, CourseState::Active);
        f.sessions = vec![(TODAY - Duration::days(8), S::Session)];
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::WeeklyContact, Urgency::Overdue)]
        );
        f.sessions.push((TODAY - Duration::days(6), S::PhoneOnline));
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::WeeklyContact, Urgency::DueSoon)],
            "phone contact counts; due tomorrow"
        );
        f.sessions.push((TODAY - Duration::days(2), S::Session));
        assert!(
            due_items(&f, TODAY).is_empty(),
            "contact two days ago: nothing to do yet"
        );
        f.sessions = vec![
            (TODAY - Duration::days(1), S::ProfessionalsMeeting),
            (TODAY - Duration::days(9), S::Session),
        ];
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::WeeklyContact, Urgency::Overdue)],
            "a meeting among professionals is not contact"
        );
        f.state = CourseState::Ending;
        assert!(due_items(&f, TODAY).is_empty(), "only active courses");
    }

    #[test]
    fn parent_coaching_starts_with_a_pre_meeting() {
        let mut f = facts(ParentCoaching, CourseState::Matched);
        f.matched_on = Some(TODAY - Duration::days(20));
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::PreMeeting, Urgency::Overdue)]
        );
        f.sessions = vec![(TODAY - Duration::days(3), S::PreMeeting)];
        assert!(due_items(&f, TODAY).is_empty());
    }

    #[test]
    fn coaching_sessions_are_at_most_two_months_apart() {
        let mut f = facts(ParentCoaching, CourseState::Active);
        f.sessions = vec![(date!(2026 - 09 - 20), S::Session)];
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::CoachingInterval, Urgency::Overdue)]
        );
        f.sessions.push((date!(2026 - 09 - 28), S::Session));
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::CoachingInterval, Urgency::DueSoon)],
            "due 28-11"
        );
        f.sessions.push((date!(2026 - 11 - 01), S::Session));
        assert!(due_items(&f, TODAY).is_empty());
    }

    #[test]
    fn ending_parent_coaching_warns_with_fewer_than_three_sessions() {
        let mut f = facts(ParentCoaching, CourseState::Ending);
        f.ended_on = Some(TODAY);
        f.sessions = vec![
            (date!(2026 - 10 - 01), S::Session),
            (date!(2026 - 11 - 01), S::Session),
        ];
        assert!(
            kinds(&due_items(&f, TODAY))
                .contains(&(DueKind::TooFewCoachingSessions, Urgency::Warning))
        );
        f.sessions.push((date!(2026 - 11 - 20), S::Session));
        assert!(
            !kinds(&due_items(&f, TODAY))
                .iter()
                .any(|(k, _)| *k == DueKind::TooFewCoachingSessions)
        );
    }

    #[test]
    fn follow_ups_fall_due_three_and_six_months_after_the_end() {
        let mut f = facts(ParentCoaching, CourseState::FollowUp);
        f.ended_on = Some(date!(2026 - 08 - 25));
        assert_eq!(
            kinds(&due_items(&f, TODAY)),
            vec![(DueKind::FollowUp3, Urgency::DueSoon)],
            "due 25-11"
        );
        assert!(due_items(&f, date!(2026 - 11 - 10)).is_empty(), "not yet");
        let later = date!(2026 - 11 - 26);
        assert_eq!(
            kinds(&due_items(&f, later)),
            vec![(DueKind::FollowUp3, Urgency::Overdue)]
        );
        f.sessions = vec![(date!(2026 - 11 - 24), S::FollowUp)];
        assert!(
            due_items(&f, later).is_empty(),
            "the three-month meeting is held; six months is far off"
        );
        assert_eq!(
            kinds(&due_items(&f, date!(2027 - 02 - 26))),
            vec![(DueKind::FollowUp6, Urgency::Overdue)]
        );
        f.sessions.push((date!(2027 - 02 - 25), S::FollowUp));
        assert!(due_items(&f, date!(2027 - 02 - 26)).is_empty());
    }

    #[test]
    fn networks_meet_every_two_to_three_months_with_eight_to_fifteen_people() {
        let mut f = facts(RelativesNetwork, CourseState::Active);
        f.participants = 10;
        f.sessions = vec![(date!(2026 - 10 - 01), S::NetworkMeeting)];
        assert!(due_items(&f, TODAY).is_empty(), "next meeting from 01-12");
        assert_eq!(
            kinds(&due_items(&f, date!(2026 - 11 - 26))),
            vec![(DueKind::NetworkInterval, Urgency::DueSoon)]
        );
        assert_eq!(
            kinds(&due_items(&f, date!(2027 - 01 - 02))),
            vec![(DueKind::NetworkInterval, Urgency::Overdue)]
        );
        f.participants = 5;
        assert!(kinds(&due_items(&f, TODAY)).contains(&(DueKind::NetworkSize, Urgency::Warning)));
        f.state = CourseState::Ending;
        f.participants = 9;
        assert!(
            kinds(&due_items(&f, TODAY))
                .contains(&(DueKind::TooFewNetworkMeetings, Urgency::Warning))
        );
    }

    #[test]
    fn progress_is_rated_at_least_every_two_months_once_rated_in_korps() {
        let mut f = facts(Mentor, CourseState::Active);
        f.sessions = vec![(TODAY, S::Session)];
        assert!(
            due_items(&f, TODAY)
                .iter()
                .all(|i| i.kind != DueKind::ProgressRating),
            "waits for the LAT tools"
        );
        f.last_rating_on = Some(Some(date!(2026 - 09 - 01)));
        assert!(
            kinds(&due_items(&f, TODAY)).contains(&(DueKind::ProgressRating, Urgency::Overdue))
        );
        f.last_rating_on = Some(Some(date!(2026 - 11 - 01)));
        assert!(
            due_items(&f, TODAY)
                .iter()
                .all(|i| i.kind != DueKind::ProgressRating)
        );
    }

    #[test]
    fn pre_and_post_measurements_fall_due_at_start_and_end() {
        let mut f = facts(Mentor, CourseState::Active);
        f.sessions = vec![(TODAY, S::Session)];
        f.measured_pre = false;
        assert!(
            kinds(&due_items(&f, TODAY)).contains(&(DueKind::PreMeasurement, Urgency::Overdue))
        );
        f.measured_pre = true;
        f.state = CourseState::Ending;
        f.ended_on = Some(TODAY - Duration::days(20));
        f.measured_post = false;
        assert!(
            kinds(&due_items(&f, TODAY)).contains(&(DueKind::PostMeasurement, Urgency::Overdue))
        );
        f.measured_post = true;
        assert!(
            !kinds(&due_items(&f, TODAY))
                .iter()
                .any(|(k, _)| *k == DueKind::PostMeasurement)
        );
    }

    #[test]
    fn session_length_outside_ninety_to_hundred_and_twenty_minutes_is_flagged() {
        assert!(unusual_duration(ParentCoaching, S::Session, 45));
        assert!(!unusual_duration(ParentCoaching, S::Session, 105));
        assert!(
            !unusual_duration(Mentor, S::Session, 45),
            "mentor sessions have no typical length"
        );
        assert!(unusual_duration(RelativesNetwork, S::NetworkMeeting, 150));
    }

    #[test]
    fn ending_asks_about_the_goals_and_an_extension_for_a_reason_and_a_later_end() {
        use CourseState::{Active, Closed, Ending, FollowUp};
        assert_eq!(
            step(Active, Ending, "partly", "", None, TODAY),
            Ok(Step::Ending {
                goals_reached: GoalsReached::Partly
            })
        );
        assert_eq!(
            step(Active, Ending, "", "A note", None, TODAY),
            Err(StepRefused::GoalsMissing)
        );
        assert_eq!(
            step(Active, Ending, "maybe", "", None, TODAY),
            Err(StepRefused::GoalsMissing)
        );
        let later = date!(2027 - 02 - 01);
        assert_eq!(
            step(Ending, Active, "", "Needs more time", Some(later), TODAY),
            Ok(Step::Extension { planned_end: later })
        );
        for (note, end) in [
            ("", Some(later)),
            ("  ", Some(later)),
            ("Needs more time", None),
            ("Needs more time", Some(TODAY)),
        ] {
            assert_eq!(
                step(Ending, Active, "", note, end, TODAY),
                Err(StepRefused::ExtensionIncomplete),
                "{note:?} {end:?}"
            );
        }
        assert_eq!(step(Ending, FollowUp, "", "", None, TODAY), Ok(Step::Plain));
        assert_eq!(step(FollowUp, Closed, "", "", None, TODAY), Ok(Step::Plain));
    }

    #[test]
    fn a_course_is_handed_over_only_with_everyones_consent() {
        assert!(may_hand_over(&[true]));
        assert!(may_hand_over(&[true, true]));
        assert!(!may_hand_over(&[true, false]));
        assert!(!may_hand_over(&[]), "nobody to hand over");
    }
}
