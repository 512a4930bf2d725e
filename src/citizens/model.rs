//! Citizens: the referral form and its rules, without I/O. Birth year only, never a CPR
//! number or a birth date.

use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use crate::i18n::Messages;
use crate::vocab::{self, CitizenKind};
use crate::web::forms::{FieldErrors, parse_date};

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
    pub kind: CitizenKind,
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
        let kind = CitizenKind::from_code(&self.kind);
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

/// The consent form of the citizen page; its fields are named apart from the page's
/// other forms (unique ids).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConsentForm {
    #[serde(default, rename = "consent-kind")]
    pub kind: String,
    #[serde(default, rename = "consent-given_by")]
    pub given_by: String,
    #[serde(default, rename = "consent-given_on")]
    pub given_on: String,
    /// The form's one-time key: sent twice, it is saved once.
    #[serde(default)]
    pub form_key: Option<uuid::Uuid>,
}

/// A checked consent, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    pub kind: String,
    pub given_by: String,
    pub given_on: Date,
}

impl ConsentForm {
    /// A consent of a known kind, by a known giver, given no later than `today`.
    pub fn validate(&self, today: Date, t: &'static Messages) -> Result<Consent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = vocab::one_of(&self.kind, CONSENT_KINDS);
        if kind.is_none() {
            errors.add("consent-kind", t.citizens.consent_kind_required);
        }
        let given_by = vocab::one_of(&self.given_by, CONSENT_GIVERS);
        if given_by.is_none() {
            errors.add("consent-given_by", t.citizens.consent_given_by_required);
        }
        let given_on = parse_date(&self.given_on).filter(|date| *date <= today);
        if given_on.is_none() {
            errors.add("consent-given_on", t.common.date_invalid_or_future);
        }
        match (kind, given_by, given_on) {
            (Some(kind), Some(given_by), Some(given_on)) => Ok(Consent {
                kind,
                given_by,
                given_on,
            }),
            _ => Err(errors),
        }
    }
}

/// The relation form of the citizen page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RelationForm {
    /// The search that found the people to choose from (kept, so a refused form can
    /// show the same matches again).
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub other_id: String,
    #[serde(default)]
    pub relation: String,
    /// The form's one-time key: sent twice, it is saved once.
    #[serde(default)]
    pub form_key: Option<uuid::Uuid>,
}

/// A checked relation, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRelation {
    pub mentee: Uuid,
    pub relative: Uuid,
    pub relation: String,
}

impl RelationForm {
    /// The citizen chosen, if the field holds an id at all.
    pub fn other(&self) -> Option<Uuid> {
        self.other_id.parse().ok()
    }

    /// The relation between `this` citizen and the `other` chosen (id and kind of each;
    /// `None`: no such citizen), who must be of the other kind.
    pub fn validate(
        &self,
        this: (Uuid, CitizenKind),
        other: Option<(Uuid, CitizenKind)>,
        t: &'static Messages,
    ) -> Result<NewRelation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let other = other.filter(|(_, kind)| *kind != this.1);
        if other.is_none() {
            errors.add("other_id", t.citizens.relation_other_required);
        }
        let relation = vocab::one_of(&self.relation, RELATIONS);
        if relation.is_none() {
            errors.add("relation", t.citizens.relation_kind_required);
        }
        let (Some((other, _)), Some(relation)) = (other, relation) else {
            return Err(errors);
        };
        let (mentee, relative) = if this.1 == CitizenKind::Mentee {
            (this.0, other)
        } else {
            (other, this.0)
        };
        Ok(NewRelation {
            mentee,
            relative,
            relation,
        })
    }
}

/// The conflict form of the citizen page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub reason: String,
    /// The form's one-time key: sent twice, it is saved once.
    #[serde(default)]
    pub form_key: Option<uuid::Uuid>,
}

/// A checked conflict, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConflict {
    pub member: Uuid,
    pub reason: String,
}

impl ConflictForm {
    /// The member chosen, if the field holds an id at all.
    pub fn member(&self) -> Option<Uuid> {
        self.member_id.parse().ok()
    }

    /// A conflict with `member`, the corps member chosen (`None`: no such member).
    pub fn validate(
        &self,
        member: Option<Uuid>,
        t: &'static Messages,
    ) -> Result<NewConflict, FieldErrors> {
        let mut errors = FieldErrors::default();
        if member.is_none() {
            errors.add("member_id", t.citizens.conflict_member_required);
        }
        let reason = vocab::one_of(&self.reason, CONFLICT_REASONS);
        if reason.is_none() {
            errors.add("reason", t.citizens.conflict_reason_required);
        }
        match (member, reason) {
            (Some(member), Some(reason)) => Ok(NewConflict { member, reason }),
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

    #[test]
    fn a_consent_needs_a_known_kind_and_giver_and_no_future_date() {
        let t = Locale::Da.messages();
        let today = date!(2026 - 11 - 22);
        let form = ConsentForm {
            kind: "handover".into(),
            given_by: "guardian".into(),
            given_on: "22-11-2026".into(),
            form_key: None,
        };
        assert_eq!(
            form.validate(today, t).ok(),
            Some(Consent {
                kind: "handover".into(),
                given_by: "guardian".into(),
                given_on: today,
            })
        );
        let errors = ConsentForm {
            kind: "everything".into(),
            given_by: String::new(),
            given_on: "23-11-2026".into(),
            form_key: None,
        }
        .validate(today, t)
        .unwrap_err();
        assert_eq!(
            errors.get("consent-kind"),
            Some(t.citizens.consent_kind_required)
        );
        assert_eq!(
            errors.get("consent-given_by"),
            Some(t.citizens.consent_given_by_required)
        );
        assert_eq!(
            errors.get("consent-given_on"),
            Some(t.common.date_invalid_or_future)
        );
        let errors = ConsentForm {
            given_on: "in a while".into(),
            ..form
        }
        .validate(today, t)
        .unwrap_err();
        assert_eq!(errors.iter().count(), 1, "only the date is wrong");
    }

    #[test]
    fn a_relation_joins_a_mentee_and_a_relative() {
        let t = Locale::Da.messages();
        let (karim, mother) = (Uuid::new_v4(), Uuid::new_v4());
        let form = RelationForm {
            q: String::new(),
            other_id: mother.to_string(),
            relation: "mother".into(),
            form_key: None,
        };
        assert_eq!(form.other(), Some(mother));
        let expected = NewRelation {
            mentee: karim,
            relative: mother,
            relation: "mother".into(),
        };
        let from_mentee = form.validate(
            (karim, CitizenKind::Mentee),
            Some((mother, CitizenKind::Relative)),
            t,
        );
        assert_eq!(from_mentee.ok(), Some(expected.clone()));
        let from_relative = form.validate(
            (mother, CitizenKind::Relative),
            Some((karim, CitizenKind::Mentee)),
            t,
        );
        assert_eq!(from_relative.ok(), Some(expected), "either side may add it");
        let same_kind = form
            .validate(
                (karim, CitizenKind::Mentee),
                Some((mother, CitizenKind::Mentee)),
                t,
            )
            .unwrap_err();
        assert_eq!(
            same_kind.get("other_id"),
            Some(t.citizens.relation_other_required)
        );
        let nobody = RelationForm {
            q: String::new(),
            other_id: "someone".into(),
            relation: "cousin".into(),
            form_key: None,
        };
        assert_eq!(nobody.other(), None);
        let errors = nobody
            .validate((mother, CitizenKind::Relative), None, t)
            .unwrap_err();
        assert!(errors.get("other_id").is_some());
        assert_eq!(
            errors.get("relation"),
            Some(t.citizens.relation_kind_required)
        );
        assert_eq!(CitizenKind::Mentee.other(), CitizenKind::Relative);
        assert_eq!(CitizenKind::Relative.other(), CitizenKind::Mentee);
    }

    #[test]
    fn a_conflict_needs_a_member_of_the_corps_and_a_reason() {
        let t = Locale::Da.messages();
        let jonas = Uuid::new_v4();
        let form = ConflictForm {
            member_id: jonas.to_string(),
            reason: "prior_contact".into(),
            form_key: None,
        };
        assert_eq!(form.member(), Some(jonas));
        assert_eq!(
            form.validate(Some(jonas), t).ok(),
            Some(NewConflict {
                member: jonas,
                reason: "prior_contact".into()
            })
        );
        let errors = form.validate(None, t).unwrap_err();
        assert_eq!(
            errors.get("member_id"),
            Some(t.citizens.conflict_member_required)
        );
        assert_eq!(errors.get("reason"), None);
        let errors = ConflictForm {
            reason: "dislike".into(),
            ..form
        }
        .validate(Some(jonas), t)
        .unwrap_err();
        assert_eq!(
            errors.get("reason"),
            Some(t.citizens.conflict_reason_required)
        );
    }
}
