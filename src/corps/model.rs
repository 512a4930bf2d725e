//! Member profiles: the form and its rules, without I/O.

use serde::Deserialize;

use crate::i18n::Messages;
use crate::vocab::{self, TrainingStatus};
use crate::web::forms::FieldErrors;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default)]
    pub training_status: String,
    #[serde(default)]
    pub trained_on: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_year: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub cultural_background: String,
    #[serde(default)]
    pub religion_competence: Option<String>,
    #[serde(default)]
    pub politics_competence: Option<String>,
    #[serde(default)]
    pub temperament: String,
    #[serde(default)]
    pub experience: Vec<String>,
    #[serde(default)]
    pub availability: Vec<String>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub version: i32,
}

/// A checked profile, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub active: bool,
    pub training_status: TrainingStatus,
    pub trained_on: Option<time::Date>,
    pub capacity: i16,
    pub gender: Option<String>,
    pub birth_year: Option<i16>,
    pub languages: Vec<String>,
    pub cultural_background: Option<String>,
    pub religion_competence: bool,
    pub politics_competence: bool,
    pub temperament: Option<i16>,
    pub experience: Vec<String>,
    pub availability: Vec<String>,
    pub notes: String,
}

/// Reads an optional number; `Err` when something unreadable was typed.
fn optional_number<T: std::str::FromStr>(text: &str) -> Result<Option<T>, ()> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(|_| ())
    }
}

impl ProfileForm {
    pub fn validate(&self, this_year: i32, t: &'static Messages) -> Result<Profile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let capacity = match optional_number::<i16>(&self.capacity) {
            Ok(Some(capacity)) if (0..=20).contains(&capacity) => capacity,
            _ => {
                errors.add("capacity", t.corps.capacity_invalid);
                0
            }
        };
        let birth_year = match optional_number::<i16>(&self.birth_year) {
            Ok(year)
                if year.is_none_or(|y| {
                    i32::from(y) >= this_year - 90 && i32::from(y) <= this_year - 18
                }) =>
            {
                year
            }
            _ => {
                errors.add("birth_year", t.corps.member_birth_year_invalid);
                None
            }
        };
        let temperament = match optional_number::<i16>(&self.temperament) {
            Ok(value) if value.is_none_or(|v| (1..=5).contains(&v)) => value,
            _ => {
                errors.add("temperament", t.corps.temperament_invalid);
                None
            }
        };
        let training_status =
            TrainingStatus::from_code(&self.training_status).unwrap_or(TrainingStatus::Untrained);
        let trained_on = if self.trained_on.trim().is_empty() {
            None
        } else {
            let date = crate::web::forms::parse_date(&self.trained_on);
            if date.is_none() {
                errors.add("trained_on", t.common.date_invalid);
            }
            date
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Profile {
            active: self.active.is_some(),
            training_status,
            trained_on,
            capacity,
            gender: vocab::one_of(&self.gender, vocab::GENDERS),
            birth_year,
            languages: vocab::known(&self.languages, vocab::LANGUAGES),
            cultural_background: vocab::one_of(&self.cultural_background, vocab::CULTURES),
            religion_competence: self.religion_competence.is_some(),
            politics_competence: self.politics_competence.is_some(),
            temperament,
            experience: vocab::known(&self.experience, vocab::EXPERIENCE),
            availability: vocab::known(&self.availability, vocab::AVAILABILITY),
            notes: self.notes.trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn form() -> ProfileForm {
        ProfileForm {
            capacity: "3".into(),
            training_status: "trained".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_profile_keeps_only_known_codes() {
        let t = Locale::Da.messages();
        let profile = ProfileForm {
            languages: vec!["ar".into(), "xx".into(), "da".into()],
            ..form()
        }
        .validate(2026, t)
        .unwrap();
        assert_eq!(profile.languages, vec!["da", "ar"]);
        assert_eq!(profile.capacity, 3);
    }

    #[test]
    fn capacity_birth_year_and_temperament_are_checked() {
        let t = Locale::Da.messages();
        let errors = ProfileForm {
            capacity: "30".into(),
            birth_year: "2020".into(),
            temperament: "9".into(),
            ..form()
        }
        .validate(2026, t)
        .unwrap_err();
        assert_eq!(errors.get("capacity"), Some(t.corps.capacity_invalid));
        assert_eq!(
            errors.get("birth_year"),
            Some(t.corps.member_birth_year_invalid)
        );
        assert_eq!(errors.get("temperament"), Some(t.corps.temperament_invalid));
    }
}
