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

// Disclosure control of the national figures (docs/statistics.md). Every count the
// national centre sees is published once, at the finest level (a municipality's cell),
// rounded to base 5 with 1–4 shown as "<5" (base 10 and "<10" for minors). Every larger
// figure — a row's sum, a region, the country, a year — is added up from those published
// cells, never from the exact counts, so it tells nothing the cells do not: subtracting
// parts from a total gives back only what the parts already say.

/// The base counts are rounded to.
pub const BASE: i64 = 5;
/// The base of counts about minors (under 18).
pub const MINOR_BASE: i64 = 10;
/// The fewest courses behind a share, an average or a change.
pub const FEWEST_BEHIND: i64 = 10;

/// `n` rounded to the nearest multiple of `base`, halves up.
fn rounded(n: i64, base: i64) -> i64 {
    (n + base / 2).div_euclid(base) * base
}

/// A published count: what one figure of the national statistics says, already protected.
/// It can only be made from an exact count by [`Count::protect`] and added to other
/// published counts, so nothing shown is ever computed from an exact total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The value this count stands for in sums: 0, half the base for "<5", or the
    /// rounded count.
    estimate: i64,
    /// The least the exact count can be, as anyone can tell from what is shown: 1 for
    /// "<5", 8 for a cell shown as 10. Whether a share may be shown is decided on it, so
    /// that decision gives nothing away either.
    least: i64,
    base: i64,
}

impl Default for Count {
    fn default() -> Count {
        Count::ZERO
    }
}

impl Count {
    pub const ZERO: Count = Count {
        estimate: 0,
        least: 0,
        base: BASE,
    };

    /// An exact count of one cell, protected in base 5.
    pub fn protect(n: i64) -> Count {
        Count::protect_in(n, BASE)
    }

    /// An exact count of one cell, protected in `base`: 0 stays 0, 1 to `base` − 1 is
    /// "<base", anything else is rounded to the nearest multiple of `base`.
    pub fn protect_in(n: i64, base: i64) -> Count {
        let (estimate, least) = match n {
            ..=0 => (0, 0),
            n if n < base => (base / 2, 1),
            n => {
                let shown = rounded(n, base);
                (shown, (shown - base / 2).max(base))
            }
        };
        Count {
            estimate,
            least,
            base,
        }
    }

    /// The sum of published counts (in the coarsest base among them).
    pub fn add(&mut self, other: Count) {
        self.estimate += other.estimate;
        self.least += other.least;
        self.base = self.base.max(other.base);
    }

    pub fn sum(counts: impl IntoIterator<Item = Count>) -> Count {
        counts.into_iter().fold(Count::ZERO, |mut sum, c| {
            sum.add(c);
            sum
        })
    }

    /// The number shown, or None for "<5".
    pub fn value(&self) -> Option<i64> {
        match self.estimate {
            0 => Some(0),
            e if e < self.base => None,
            e => Some(rounded(e, self.base)),
        }
    }

    /// The value this count stands for in shares and sums.
    pub fn estimate(&self) -> i64 {
        self.estimate
    }

    /// The least the exact count can be, as the published figures tell.
    pub fn least(&self) -> i64 {
        self.least
    }

    /// As shown: "0", "<5" or a multiple of 5.
    pub fn shown(&self) -> String {
        self.value()
            .map(|n| n.to_string())
            .unwrap_or_else(|| format!("<{}", self.base))
    }
}

/// A share of published counts in whole per cent, when the published whole tells that at
/// least 10 courses are behind it: "30 %", or "–". Computed from the published part and
/// whole, so the share times the whole gives back the published part and no more.
pub fn protected_share(part: Count, whole: Count) -> String {
    if whole.least() < FEWEST_BEHIND || whole.estimate() <= 0 {
        return "–".to_string();
    }
    let percent = (part.estimate() * 100 + whole.estimate() / 2) / whole.estimate();
    format!("{} %", percent.min(100))
}

/// A share in whole per cent as shown: "67 %", or "–" when there is nothing to measure.
pub fn share(part: i64, whole: i64) -> String {
    Completeness::percent(part, whole)
        .map(|p| format!("{p} %"))
        .unwrap_or_else(|| "–".into())
}

/// A change with its sign and one decimal: "+8.4", "-2.5", "0.0".
pub fn signed(change: f64) -> String {
    format!("{}{:.1}", if change > 0.0 { "+" } else { "" }, change)
}

/// A change on a 0–100 scale with its sign in whole points: "+8", "-3", "0".
pub fn signed_whole(change: f64) -> String {
    let whole = change.round() as i64;
    format!("{}{whole}", if whole > 0 { "+" } else { "" })
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

    /// The average change in whole points with its sign, when at least 10 courses are
    /// behind it; "–" otherwise.
    pub fn average_shown(&self) -> String {
        if self.courses < FEWEST_BEHIND {
            return "–".to_string();
        }
        signed_whole(self.total / self.courses as f64)
    }
}

/// One municipality's exact headline figures, as the national functions give them. They
/// are protected ([`AreaFigures::protect`]) before anything adds them up.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AreaFigures {
    pub members: i64,
    pub trained: i64,
    /// The municipality's courses in the period, as published cells of the table of kind
    /// and state: the column adds the cells up, it does not round the total again.
    pub courses: Count,
    pub active: i64,
    pub rated: i64,
    pub measured: i64,
    pub wellbeing: ChangeSum,
    pub mastery: ChangeSum,
}

impl AreaFigures {
    /// The municipality's published figures.
    pub fn protect(&self) -> AreaTally {
        AreaTally {
            members: Count::protect(self.members),
            trained: Count::protect(self.trained),
            courses: self.courses,
            active: Count::protect(self.active),
            rated: Count::protect(self.rated),
            measured: Count::protect(self.measured),
            wellbeing: self.wellbeing,
            wellbeing_courses: Count::protect(self.wellbeing.courses),
            mastery: self.mastery,
            mastery_courses: Count::protect(self.mastery.courses),
        }
    }
}

/// An area's figures as published: the sums of its municipalities' published counts, and
/// the exact sums behind the averages (shown only over 10 courses or more, in whole
/// points).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AreaTally {
    pub members: Count,
    pub trained: Count,
    pub courses: Count,
    pub active: Count,
    pub rated: Count,
    pub measured: Count,
    pub wellbeing: ChangeSum,
    pub wellbeing_courses: Count,
    pub mastery: ChangeSum,
    pub mastery_courses: Count,
}

impl AreaTally {
    pub fn add(&mut self, other: &AreaTally) {
        self.members.add(other.members);
        self.trained.add(other.trained);
        self.courses.add(other.courses);
        self.active.add(other.active);
        self.rated.add(other.rated);
        self.measured.add(other.measured);
        self.wellbeing.add(other.wellbeing);
        self.wellbeing_courses.add(other.wellbeing_courses);
        self.mastery.add(other.mastery);
        self.mastery_courses.add(other.mastery_courses);
    }

    /// The figures as the national centre sees them.
    pub fn shown(&self) -> ShownFigures {
        ShownFigures {
            members: self.members.shown(),
            trained: self.trained.shown(),
            courses: self.courses.shown(),
            active: self.active.shown(),
            rated: protected_share(self.rated, self.active),
            measured: protected_share(self.measured, self.active),
            wellbeing: self.wellbeing.average_shown(),
            wellbeing_courses: self.wellbeing_courses.shown(),
            mastery: self.mastery.average_shown(),
            mastery_courses: self.mastery_courses.shown(),
        }
    }
}

/// Every figure of an area as text, protected.
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
    fn counts_are_rounded_to_base_five_and_small_ones_shown_as_under_five() {
        let shown = |n| Count::protect(n).shown();
        assert_eq!(shown(0), "0");
        assert_eq!(shown(1), "<5");
        assert_eq!(shown(4), "<5");
        assert_eq!(shown(5), "5");
        assert_eq!(shown(7), "5");
        assert_eq!(shown(8), "10");
        assert_eq!(shown(12), "10");
        assert_eq!(shown(123), "125");
        let minors = |n| Count::protect_in(n, MINOR_BASE).shown();
        assert_eq!(minors(9), "<10");
        assert_eq!(minors(14), "10");
        assert_eq!(minors(15), "20");
        assert_eq!(Count::protect(3).value(), None);
        assert_eq!(Count::protect(13).value(), Some(15));
        let least = |n, base| Count::protect_in(n, base).least();
        assert_eq!(
            [least(0, 5), least(3, 5), least(6, 5), least(9, 5)],
            [0, 1, 5, 8]
        );
        assert_eq!([least(9, 10), least(12, 10), least(17, 10)], [1, 10, 15]);
    }

    #[test]
    fn sums_add_up_the_published_counts_not_the_exact_ones() {
        // 3 + 3 + 3 exact is 9, shown 10; published it is <5 + <5 + <5 = 2 + 2 + 2 = 6.
        let sum = Count::sum([3, 3, 3].map(Count::protect));
        assert_eq!(sum.shown(), "5");
        // 7 + 7 exact is 14; published 5 + 5 = 10.
        assert_eq!(Count::sum([7, 7].map(Count::protect)).shown(), "10");
        assert_eq!(Count::sum([4, 0].map(Count::protect)).shown(), "<5");
        assert_eq!(Count::sum([0, 0].map(Count::protect)).shown(), "0");
        assert_eq!(Count::sum([]).shown(), "0");
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
        assert_eq!(signed_whole(8.44), "+8");
        assert_eq!(signed_whole(-2.6), "-3");
        assert_eq!(signed_whole(0.4), "0");
    }

    #[test]
    fn shares_and_averages_need_ten_courses_and_use_the_published_counts() {
        let c = Count::protect;
        assert_eq!(protected_share(c(3), c(9)), "–");
        // Shown as 10, 12 courses could be 8: too few to be sure of 10.
        assert_eq!(protected_share(c(7), c(12)), "–");
        // 7 of 13: published 5 of 15 (13 at least), so 33 %: times the whole, 5 again.
        assert_eq!(protected_share(c(7), c(13)), "33 %");
        // 3 of 13: "<5" stands for 2.
        assert_eq!(protected_share(c(3), c(13)), "13 %");
        assert_eq!(protected_share(c(14), c(14)), "100 %");
        // Five municipalities' "<5" are at least 5 courses; ten of them at least 10.
        assert_eq!(protected_share(c(1), Count::sum([c(4); 5])), "–");
        assert_eq!(protected_share(c(1), Count::sum([c(4); 10])), "10 %");
        let few = ChangeSum {
            courses: 9,
            total: 90.0,
        };
        assert_eq!(few.average_shown(), "–");
        let enough = ChangeSum {
            courses: 10,
            total: 84.0,
        };
        assert_eq!(enough.average_shown(), "+8");
        let worse = ChangeSum {
            courses: 12,
            total: -30.0,
        };
        assert_eq!(worse.average_shown(), "-3");
    }

    #[test]
    fn areas_add_up_the_published_figures_of_their_municipalities() {
        // Two municipalities with 3 active courses each: each shows "<5"; the region adds
        // up what they show (2 + 2), not what they have, so it shows "<5" too.
        let municipality = AreaFigures {
            members: 3,
            trained: 8,
            courses: Count::protect(4),
            active: 3,
            rated: 2,
            measured: 1,
            wellbeing: ChangeSum {
                courses: 6,
                total: 60.0,
            },
            mastery: ChangeSum::default(),
        };
        let shown = municipality.protect().shown();
        assert_eq!(
            (
                shown.members.as_str(),
                shown.trained.as_str(),
                shown.active.as_str(),
                shown.rated.as_str()
            ),
            ("<5", "10", "<5", "–")
        );
        assert_eq!(shown.wellbeing, "–");
        let mut region = AreaTally::default();
        region.add(&municipality.protect());
        region.add(&municipality.protect());
        let shown = region.shown();
        assert_eq!(shown.members, "<5");
        assert_eq!(shown.trained, "20");
        assert_eq!(shown.active, "<5");
        assert_eq!(shown.rated, "–", "6 active courses are too few for a share");
        assert_eq!(shown.wellbeing, "+10", "12 courses behind the average");
        assert_eq!(shown.wellbeing_courses, "10");
        assert_eq!(shown.mastery_courses, "0");
    }
}
