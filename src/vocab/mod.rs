//! The fixed vocabularies that profiles, citizens and matching share: languages, cultural
//! backgrounds, genders, professional experience, availability. Codes are stored; the
//! names come from the user's catalogue.

pub mod coded;
mod course;
mod roles;

pub(crate) use coded::coded_enum;
pub use course::{
    CitizenKind, CourseEventKind, CourseKind, CourseState, GoalsReached, MeasurementKind, Scale,
    SessionKind, ToolPhase, TrainingStatus,
};
pub use roles::{Role, roles_label};

use crate::i18n::Messages;

/// Languages offered in profiles and preferences (ISO 639-1 codes).
pub const LANGUAGES: &[&str] = &[
    "da", "en", "ar", "so", "tr", "ur", "fa", "ps", "ku", "bs", "pl", "ti", "de", "ru", "uk", "fr",
];

pub const CULTURES: &[&str] = &[
    "danish",
    "middle_eastern",
    "north_african",
    "east_african",
    "south_asian",
    "balkan",
    "eastern_european",
    "other",
];

pub const GENDERS: &[&str] = &["female", "male", "other"];
pub const EXPERIENCE: &[&str] = &["psychiatric", "behavioural", "extremism", "other"];
pub const AVAILABILITY: &[&str] = &["daytime", "evenings", "weekends"];
/// The five Danish regions, by the codes stored in the database.
pub const REGIONS: [&str; 5] = [
    "hovedstaden",
    "sjaelland",
    "syddanmark",
    "midtjylland",
    "nordjylland",
];

pub const AGE_BANDS: &[&str] = &["under_30", "30_to_45", "over_45"];

/// The name of any vocabulary code in the user's language; unknown codes as they are.
pub fn label(t: &'static Messages, code: &str) -> String {
    t.common
        .vocabulary
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, name)| name.to_string())
}

/// (code, name) pairs of one vocabulary, for selects and checkboxes.
pub fn options(t: &'static Messages, codes: &[&'static str]) -> Vec<(&'static str, String)> {
    codes.iter().map(|code| (*code, label(t, code))).collect()
}

/// Keeps only known codes, in vocabulary order, without duplicates.
pub fn known(values: &[String], codes: &[&'static str]) -> Vec<String> {
    codes
        .iter()
        .filter(|code| values.iter().any(|v| v == *code))
        .map(|code| code.to_string())
        .collect()
}

/// A single optional code: `None` when blank or unknown.
pub fn one_of(value: &str, codes: &[&'static str]) -> Option<String> {
    codes
        .iter()
        .find(|code| **code == value)
        .map(|code| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn every_code_has_a_name_in_both_languages() {
        for locale in [Locale::Da, Locale::En] {
            let t = locale.messages();
            for code in LANGUAGES
                .iter()
                .chain(CULTURES)
                .chain(GENDERS)
                .chain(EXPERIENCE)
                .chain(AVAILABILITY)
                .chain(AGE_BANDS)
            {
                assert!(
                    t.common.vocabulary.iter().any(|(c, _)| c == code),
                    "{code} has no name in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn unknown_codes_are_dropped() {
        assert_eq!(
            known(
                &["evenings".into(), "x".into(), "daytime".into()],
                AVAILABILITY
            ),
            vec!["daytime", "evenings"]
        );
        assert_eq!(one_of("x", GENDERS), None);
    }
}
