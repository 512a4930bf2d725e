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
        if facts.state != crate::vocab::CourseState::Active {
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

/// The smallest count the national centre may see; anything from 1 to this minus one is
/// shown as "<5" so no one can be recognised.
pub const SMALLEST_SHOWN: i64 = 5;

/// National figures: any count below 5 is shown as "<5" so no one can be recognised.
pub fn suppressed(count: i64) -> String {
    if (1..SMALLEST_SHOWN).contains(&count) {
        "<5".to_string()
    } else {
        count.to_string()
    }
}

/// A share in whole per cent as shown: "67 %", or "–" when there is nothing to measure.
pub fn share(part: i64, whole: i64) -> String {
    Completeness::percent(part, whole)
        .map(|p| format!("{p} %"))
        .unwrap_or_else(|| "–".into())
}

/// A share of a suppressed whole: shown only when the whole is at least 5, since a share
/// of 1, 2 or 3 courses gives the counts away; "–" otherwise.
pub fn suppressed_share(part: i64, whole: i64) -> String {
    if whole < SMALLEST_SHOWN {
        return "–".to_string();
    }
    share(part, whole)
}

/// A change with its sign and one decimal: "+8.4", "-2.5", "0.0".
pub fn signed(change: f64) -> String {
    format!("{}{:.1}", if change > 0.0 { "+" } else { "" }, change)
}

/// Changes from pre to post over a number of courses, added up so areas can be averaged.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ChangeSum {
    pub courses: i64,
    pub total: f64,
}

impl ChangeSum {
    pub fn add(&mut self, other: ChangeSum) {
        self.courses += other.courses;
        self.total += other.total;
    }

    /// The average change with its sign, when at least 5 courses are behind it.
    pub fn average_shown(&self) -> String {
        if self.courses < SMALLEST_SHOWN {
            return "–".to_string();
        }
        signed(self.total / self.courses as f64)
    }
}

/// The national dashboard's headline figures of one area: a municipality, a region or
/// the whole country, added up from the municipalities' figures.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AreaFigures {
    pub members: i64,
    pub trained: i64,
    pub courses: i64,
    pub active: i64,
    pub rated: i64,
    pub measured: i64,
    pub wellbeing: ChangeSum,
    pub mastery: ChangeSum,
}

impl AreaFigures {
    pub fn add(&mut self, other: &AreaFigures) {
        self.members += other.members;
        self.trained += other.trained;
        self.courses += other.courses;
        self.active += other.active;
        self.rated += other.rated;
        self.measured += other.measured;
        self.wellbeing.add(other.wellbeing);
        self.mastery.add(other.mastery);
    }

    /// The figures as the national centre may see them.
    pub fn shown(&self) -> ShownFigures {
        ShownFigures {
            members: suppressed(self.members),
            trained: suppressed(self.trained),
            courses: suppressed(self.courses),
            active: suppressed(self.active),
            rated: suppressed_share(self.rated, self.active),
            measured: suppressed_share(self.measured, self.active),
            wellbeing: self.wellbeing.average_shown(),
            wellbeing_courses: suppressed(self.wellbeing.courses),
            mastery: self.mastery.average_shown(),
            mastery_courses: suppressed(self.mastery.courses),
        }
    }
}

/// Every figure of an area as text, small counts suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownFigures {
    pub members: String,
    pub trained: String,
    pub courses: String,
    pub active: String,
    pub rated: String,
    pub measured: String,
    pub wellbeing: String,
    pub wellbeing_courses: String,
    pub mastery: String,
    pub mastery_courses: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{CourseKind, CourseState, SessionKind};
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

    #[test]
    fn shares_round_to_whole_per_cent_and_changes_carry_their_sign() {
        assert_eq!(share(2, 3), "67 %");
        assert_eq!(share(1, 3), "33 %");
        assert_eq!(share(1, 8), "13 %");
        assert_eq!(share(3, 3), "100 %");
        assert_eq!(share(0, 0), "–");
        assert_eq!(signed(8.44), "+8.4");
        assert_eq!(signed(-2.5), "-2.5");
        assert_eq!(signed(0.0), "0.0");
        assert_eq!(signed(0.04), "+0.0");
    }

    #[test]
    fn shares_and_averages_need_five_courses_behind_them() {
        assert_eq!(suppressed_share(1, 4), "–");
        assert_eq!(suppressed_share(3, 6), "50 %");
        assert_eq!(suppressed_share(0, 0), "–");
        let few = ChangeSum {
            courses: 4,
            total: 40.0,
        };
        assert_eq!(few.average_shown(), "–");
        let enough = ChangeSum {
            courses: 5,
            total: 42.0,
        };
        assert_eq!(enough.average_shown(), "+8.4");
        let worse = ChangeSum {
            courses: 8,
            total: -20.0,
        };
        assert_eq!(worse.average_shown(), "-2.5");
    }

    #[test]
    fn areas_add_up_before_they_are_suppressed() {
        // Two municipalities with 3 active courses each: each shows "<5", the region 6.
        let municipality = AreaFigures {
            members: 3,
            trained: 2,
            courses: 4,
            active: 3,
            rated: 2,
            measured: 1,
            wellbeing: ChangeSum {
                courses: 3,
                total: 30.0,
            },
            mastery: ChangeSum::default(),
        };
        let shown = municipality.shown();
        assert_eq!(
            (
                shown.members.as_str(),
                shown.active.as_str(),
                shown.rated.as_str()
            ),
            ("<5", "<5", "–")
        );
        assert_eq!(shown.wellbeing, "–");
        let mut region = AreaFigures::default();
        region.add(&municipality);
        region.add(&municipality);
        let shown = region.shown();
        assert_eq!(shown.members, "6");
        assert_eq!(shown.active, "6");
        assert_eq!(shown.rated, "67 %");
        assert_eq!(shown.wellbeing, "+10.0");
        assert_eq!(shown.wellbeing_courses, "6");
        assert_eq!(shown.mastery_courses, "0");
    }
}
