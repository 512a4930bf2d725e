//! Citizens: the referral form and its rules, without I/O. Birth year only, never a CPR
//! number or a birth date.

use serde::Deserialize;
use time::Date;

use crate::i18n::Messages;
use crate::vocab;
use crate::web::forms::{FieldErrors, parse_date};

pub const KINDS: &[&str] = &["mentee", "relative"];
pub const REFERRAL_SOURCES: &[&str] = &[
    "infohouse",
    "school",
    "social_services",
    "jobcentre",
    "police",
    "psychiatry",
    "family",
    "self",
    "other",
];
pub const CRITERIA: &[&str] = &[
    "extremist_environment",
    "signs_of_concern",
    "vulnerable",
    "relative_of_concern",
];
pub const LEGAL_BASES: &[&str] = &["social_services_act", "active_employment_act", "other"];
pub const OTHER_EFFORTS: &[&str] = &[
    "action_plan_141",
    "family_treatment",
    "psychiatry",
    "jobcentre",
    "other",
];
pub const RELATIONS: &[&str] = &["mother", "father", "parent", "sibling", "other"];
pub const CONSENT_KINDS: &[&str] = &["participation", "handover", "evaluation"];
pub const CONSENT_GIVERS: &[&str] = &["citizen", "guardian"];
pub const CONFLICT_REASONS: &[&str] = &["prior_contact", "same_environment", "family", "other"];

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CitizenForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub birth_year: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub cultural_background: String,
    #[serde(default)]
    pub referred_on: String,
    #[serde(default)]
    pub referral_source: String,
    #[serde(default)]
    pub referred_by: String,
    #[serde(default)]
    pub criteria: Vec<String>,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub legal_basis_note: String,
    #[serde(default)]
    pub preferred_gender: String,
    #[serde(default)]
    pub preferred_age_band: String,
    #[serde(default)]
    pub preferred_language: String,
    #[serde(default)]
    pub preferred_culture: String,
    #[serde(default)]
    pub preference_note: String,
    #[serde(default)]
    pub needs_religion_politics: Option<String>,
    #[serde(default)]
    pub needed_temperament: String,
    #[serde(default)]
    pub needed_experience: Vec<String>,
    #[serde(default)]
    pub needed_availability: Vec<String>,
    #[serde(default)]
    pub other_efforts: Vec<String>,
    #[serde(default)]
    pub other_efforts_note: String,
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub form_key: Option<uuid::Uuid>,
}

/// A checked citizen, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct Citizen {
    pub kind: String,
    pub name: String,
    pub birth_year: Option<i16>,
    pub gender: Option<String>,
    pub languages: Vec<String>,
    pub cultural_background: Option<String>,
    pub referred_on: Date,
    pub referral_source: String,
    pub referred_by: String,
    pub criteria: Vec<String>,
    pub legal_basis: String,
    pub legal_basis_note: String,
    pub preferred_gender: Option<String>,
    pub preferred_age_band: Option<String>,
    pub preferred_language: Option<String>,
    pub preferred_culture: Option<String>,
    pub preference_note: String,
    pub needs_religion_politics: bool,
    pub needed_temperament: Option<i16>,
    pub needed_experience: Vec<String>,
    pub needed_availability: Vec<String>,
    pub other_efforts: Vec<String>,
    pub other_efforts_note: String,
}

impl CitizenForm {
    pub fn validate(&self, today: Date, t: &'static Messages) -> Result<Citizen, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = vocab::one_of(&self.kind, KINDS);
        if kind.is_none() {
            errors.add("kind", t.citizens.citizen_kind_required);
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.add("name", t.common.enter_name);
        }
        let birth_year = if self.birth_year.trim().is_empty() {
            None
        } else {
            match self.birth_year.trim().parse::<i16>() {
                Ok(year) if (today.year() - 100..=today.year()).contains(&i32::from(year)) => {
                    Some(year)
                }
                _ => {
                    errors.add("birth_year", t.citizens.citizen_birth_year_invalid);
                    None
                }
            }
        };
        let referred_on = match parse_date(&self.referred_on) {
            Some(date) if date <= today => Some(date),
            Some(_) => {
                errors.add("referred_on", t.citizens.date_in_future);
                None
            }
            None => {
                errors.add("referred_on", t.common.date_invalid);
                None
            }
        };
        let referral_source = vocab::one_of(&self.referral_source, REFERRAL_SOURCES);
        if referral_source.is_none() {
            errors.add("referral_source", t.citizens.referral_source_required);
        }
        let criteria = vocab::known(&self.criteria, CRITERIA);
        if criteria.is_empty() {
            errors.add("criteria", t.citizens.criteria_required);
        }
        let legal_basis = vocab::one_of(&self.legal_basis, LEGAL_BASES);
        if legal_basis.is_none() {
            errors.add("legal_basis", t.citizens.legal_basis_required);
        }
        let needed_temperament = self
            .needed_temperament
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|v| (1..=5).contains(v));
        match (kind, referred_on, referral_source, legal_basis) {
            (Some(kind), Some(referred_on), Some(referral_source), Some(legal_basis))
                if errors.is_empty() =>
            {
                Ok(Citizen {
                    kind,
                    name: name.to_string(),
                    birth_year,
                    gender: vocab::one_of(&self.gender, vocab::GENDERS),
                    languages: vocab::known(&self.languages, vocab::LANGUAGES),
                    cultural_background: vocab::one_of(&self.cultural_background, vocab::CULTURES),
                    referred_on,
                    referral_source,
                    referred_by: self.referred_by.trim().to_string(),
                    criteria,
                    legal_basis,
                    legal_basis_note: self.legal_basis_note.trim().to_string(),
                    preferred_gender: vocab::one_of(&self.preferred_gender, &["female", "male"]),
                    preferred_age_band: vocab::one_of(&self.preferred_age_band, vocab::AGE_BANDS),
                    preferred_language: vocab::one_of(&self.preferred_language, vocab::LANGUAGES),
                    preferred_culture: vocab::one_of(&self.preferred_culture, vocab::CULTURES),
                    preference_note: self.preference_note.trim().to_string(),
                    needs_religion_politics: self.needs_religion_politics.is_some(),
                    needed_temperament,
                    needed_experience: vocab::known(&self.needed_experience, vocab::EXPERIENCE),
                    needed_availability: vocab::known(
                        &self.needed_availability,
                        vocab::AVAILABILITY,
                    ),
                    other_efforts: vocab::known(&self.other_efforts, OTHER_EFFORTS),
                    other_efforts_note: self.other_efforts_note.trim().to_string(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use time::macros::date;

    fn form() -> CitizenForm {
        CitizenForm {
            kind: "mentee".into(),
            name: "Yusuf".into(),
            birth_year: "2007".into(),
            referred_on: "01-11-2026".into(),
            referral_source: "infohouse".into(),
            criteria: vec!["signs_of_concern".into()],
            legal_basis: "social_services_act".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_referral_needs_kind_name_date_source_criteria_and_legal_basis() {
        let t = Locale::Da.messages();
        assert!(form().validate(date!(2026 - 11 - 22), t).is_ok());
        let errors = CitizenForm::default()
            .validate(date!(2026 - 11 - 22), t)
            .unwrap_err();
        for field in [
            "kind",
            "name",
            "referred_on",
            "referral_source",
            "criteria",
            "legal_basis",
        ] {
            assert!(errors.get(field).is_some(), "{field} has no message");
        }
    }

    #[test]
    fn birth_year_only_and_no_future_referrals() {
        let t = Locale::Da.messages();
        let errors = CitizenForm {
            birth_year: "12-03-2007".into(),
            referred_on: "01-12-2026".into(),
            ..form()
        }
        .validate(date!(2026 - 11 - 22), t)
        .unwrap_err();
        assert_eq!(
            errors.get("birth_year"),
            Some(t.citizens.citizen_birth_year_invalid)
        );
        assert_eq!(errors.get("referred_on"), Some(t.citizens.date_in_future));
    }
}
