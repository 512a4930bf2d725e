//! What the retention run did, the rules of a hold, and which strings of a LAT tool's
//! answers are not free text. No I/O.

use time::{Date, Month};
use uuid::Uuid;

use crate::tools::catalog::{COACHING_CARD, COURSE_TOOLS};
use crate::tools::definition::{Field, Kind};

/// The count names `retention_run` returns, in the order reports show them.
pub const WHATS: [&str; 6] = [
    "citizens_anonymised",
    "courses_anonymised",
    "citizens_deleted",
    "courses_deleted",
    "accounts_anonymised",
    "audit_entries_deleted",
];

/// One count of the run: what, in which municipality (`None`: national accounts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub municipality_id: Option<Uuid>,
    pub what: String,
    pub n: i64,
}

/// What a run did (or, dry, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub counts: Vec<Count>,
}

impl Report {
    /// The total of one count over all municipalities.
    pub fn total(&self, what: &str) -> i64 {
        self.counts
            .iter()
            .filter(|c| c.what == what)
            .map(|c| c.n)
            .sum()
    }

    /// "citizens_anonymised=2 …": every count's total, for logs and the command line.
    pub fn summary(&self) -> String {
        WHATS
            .iter()
            .map(|what| format!("{what}={}", self.total(what)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done (committed, or rolled back for a dry run).
    Ran(Report),
    /// Another instance holds the lock: it does the work.
    Locked,
    /// The daily run has already been done today.
    AlreadyRan,
}

/// A hold is reviewed yearly: it lapses this day unless renewed.
pub fn review_by(from: Date) -> Date {
    match from.replace_year(from.year() + 1) {
        Ok(date) => date,
        // 29 February: the first of March a year on.
        Err(_) => {
            Date::from_calendar_date(from.year() + 1, Month::March, 1).expect("1 March exists")
        }
    }
}

/// The longest reason a hold may give.
pub const REASON_MAX: usize = 1000;

/// Why a hold's reason is refused, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonError {
    Missing,
    TooLong,
}

pub fn check_reason(reason: &str) -> Result<String, ReasonError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(ReasonError::Missing)
    } else if reason.chars().count() > REASON_MAX {
        Err(ReasonError::TooLong)
    } else {
        Ok(reason.to_string())
    }
}

/// Every choice key of every LAT tool, in every version: the only strings an anonymised
/// tool answer keeps (the rest is free text or dates).
pub fn choice_keys() -> Vec<String> {
    fn collect(fields: &[Field], keys: &mut Vec<String>) {
        for field in fields {
            match field.kind {
                Kind::Single { choices, .. } | Kind::Multi { choices } => {
                    keys.extend(choices.iter().map(|c| c.key.to_string()));
                }
                Kind::Group { fields, .. } => collect(fields, keys),
                Kind::Text | Kind::LongText | Kind::Scale { .. } | Kind::Date => {}
            }
        }
    }
    let mut keys = Vec::new();
    for tool in COURSE_TOOLS.iter().copied().chain([&COACHING_CARD]) {
        for definition in tool.versions {
            for section in definition.sections {
                collect(section.fields, &mut keys);
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_hold_is_reviewed_a_year_on() {
        assert_eq!(review_by(date!(2026 - 03 - 14)), date!(2027 - 03 - 14));
        assert_eq!(review_by(date!(2028 - 02 - 29)), date!(2029 - 03 - 01));
    }

    #[test]
    fn a_reason_is_required_and_not_endless() {
        assert_eq!(check_reason("  "), Err(ReasonError::Missing));
        assert_eq!(check_reason(&"x".repeat(1001)), Err(ReasonError::TooLong));
        assert_eq!(check_reason(" Retssag ").as_deref(), Ok("Retssag"));
    }

    #[test]
    fn choice_keys_are_choices_not_text() {
        let keys = choice_keys();
        assert!(!keys.is_empty());
        assert!(keys.iter().all(|k| {
            k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        }));
    }

    #[test]
    fn the_summary_adds_up_municipalities() {
        let report = Report {
            counts: vec![
                Count {
                    municipality_id: None,
                    what: "citizens_anonymised".into(),
                    n: 2,
                },
                Count {
                    municipality_id: Some(Uuid::nil()),
                    what: "citizens_anonymised".into(),
                    n: 3,
                },
            ],
        };
        assert_eq!(report.total("citizens_anonymised"), 5);
        assert!(report.summary().starts_with("citizens_anonymised=5 "));
    }
}
