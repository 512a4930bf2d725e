//! Data completeness (PRODUCT.md: the evaluations could not show the effect because
//! progress was not recorded consistently): for the active courses, the share with a
//! progress rating in the last two months, with a pre measurement, and with sessions as
//! the rules ask (nothing overdue about contact or meeting intervals).

use time::Date;

use crate::courses::rules::{self, CourseFacts, DueKind, Urgency, add_months};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Completeness {
    pub active: i64,
    pub rated: i64,
    pub measured: i64,
    pub on_rhythm: i64,
}

impl Completeness {
    pub fn add(&mut self, facts: &CourseFacts, today: Date) {
        if facts.state != crate::courses::model::CourseState::Active {
            return;
        }
        self.active += 1;
        let since = add_months(today, -2);
        if facts
            .last_rating_on
            .flatten()
            .is_some_and(|rated| rated >= since)
        {
            self.rated += 1;
        }
        if facts.measured_pre {
            self.measured += 1;
        }
        let rhythm = [
            DueKind::WeeklyContact,
            DueKind::CoachingInterval,
            DueKind::NetworkInterval,
            DueKind::PreMeeting,
        ];
        let late = rules::due_items(facts, today)
            .iter()
            .any(|item| item.urgency == Urgency::Overdue && rhythm.contains(&item.kind));
        if !late {
            self.on_rhythm += 1;
        }
    }

    /// A share in whole per cent, or None when there is nothing to measure.
    pub fn percent(part: i64, whole: i64) -> Option<i64> {
        (whole > 0).then(|| (part * 100 + whole / 2) / whole)
    }
}

/// National figures: any count below 5 is shown as "<5" so no one can be recognised.
pub fn suppressed(count: i64) -> String {
    if (1..5).contains(&count) {
        "<5".to_string()
    } else {
        count.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::courses::model::{CourseKind, CourseState, SessionKind};
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn active(rated: Option<Date>, pre: bool, last_session_days_ago: i64) -> CourseFacts {
        CourseFacts {
            kind: CourseKind::Mentor,
            state: CourseState::Active,
            matched_on: Some(date!(2026 - 01 - 01)),
            started_on: Some(date!(2026 - 01 - 10)),
            ended_on: None,
            participants: 1,
            sessions: vec![(
                TODAY - time::Duration::days(last_session_days_ago),
                SessionKind::Session,
            )],
            last_rating_on: Some(rated),
            measured_pre: pre,
            measured_post: false,
        }
    }

    #[test]
    fn completeness_counts_ratings_measurements_and_rhythm() {
        let mut c = Completeness::default();
        c.add(&active(Some(date!(2026 - 10 - 01)), true, 2), TODAY);
        c.add(&active(Some(date!(2026 - 08 - 01)), false, 12), TODAY);
        let mut closed = active(None, false, 100);
        closed.state = CourseState::Closed;
        c.add(&closed, TODAY);
        assert_eq!(
            c,
            Completeness {
                active: 2,
                rated: 1,
                measured: 1,
                on_rhythm: 1
            }
        );
        assert_eq!(Completeness::percent(c.rated, c.active), Some(50));
        assert_eq!(Completeness::percent(0, 0), None);
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppressed(0), "0");
        assert_eq!(suppressed(1), "<5");
        assert_eq!(suppressed(4), "<5");
        assert_eq!(suppressed(5), "5");
        assert_eq!(suppressed(120), "120");
    }
}
