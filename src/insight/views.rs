//! The insight pages as their templates show them.

use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::model::{self, Coded, Extract, Profile};
use crate::i18n::Messages;
use crate::web::Page;
use crate::web::forms::FieldErrors;
use crate::web::table::List;

pub struct AccessRow {
    pub at: String,
    pub person: String,
    pub role: String,
    pub what: String,
    /// What, as the letter says it (without internal references).
    pub letter_what: String,
    pub address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "insight/access_log.html")]
pub struct AccessView {
    pub page: Page,
    pub name: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub actors: Vec<(String, String)>,
    pub errors: FieldErrors,
    pub list: List<AccessRow>,
    pub csv_href: String,
    pub letter_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "insight/extract.html")]
pub struct ExtractView {
    pub page: Page,
    pub id: Uuid,
    pub facts: Vec<(&'static str, String)>,
    pub x: Extract,
}

impl ExtractView {
    /// An ISO date or instant of the extract the Danish way.
    fn dk(&self, text: impl AsRef<str>) -> String {
        model::danish(text.as_ref())
    }

    /// A date that may be missing.
    fn dk_opt(&self, text: &Option<String>) -> String {
        text.as_deref().map(model::danish).unwrap_or_default()
    }

    fn labels(&self, list: &[Coded]) -> String {
        list.iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn label(&self, coded: &Option<Coded>) -> String {
        coded.as_ref().map(|c| c.label.clone()).unwrap_or_default()
    }
}

/// The citizen's details as label and value, every field (empty ones shown as such: an
/// extract says what is not recorded too).
pub fn facts(t: &'static Messages, c: &Profile) -> Vec<(&'static str, String)> {
    let one = |v: &Option<Coded>| v.as_ref().map(|c| c.label.clone()).unwrap_or_default();
    let many = |v: &[Coded]| {
        v.iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ci = &t.citizens;
    let co = &t.common;
    vec![
        (co.name, c.name.clone()),
        (ci.citizen_kind, c.kind.label.clone()),
        (
            co.birth_year,
            c.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        (co.gender, one(&c.gender)),
        (co.languages, many(&c.languages)),
        (co.cultural_background, one(&c.cultural_background)),
        (co.referred_on, model::danish(&c.referred_on)),
        (ci.referral_source, c.referral_source.label.clone()),
        (ci.referred_by, c.referred_by.clone()),
        (ci.criteria, many(&c.criteria)),
        (
            ci.legal_basis,
            format!("{} {}", c.legal_basis.label, c.legal_basis_note)
                .trim()
                .to_string(),
        ),
        (co.preferred_gender, one(&c.preferred_gender)),
        (co.preferred_age_band, one(&c.preferred_age_band)),
        (co.preferred_language, one(&c.preferred_language)),
        (ci.preferred_culture, one(&c.preferred_culture)),
        (ci.preference_note, c.preference_note.clone()),
        (
            co.needs_religion_politics,
            if c.needs_religion_politics {
                co.yes.to_string()
            } else {
                co.no.to_string()
            },
        ),
        (
            ci.needed_temperament,
            c.needed_temperament
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ),
        (ci.needed_experience, many(&c.needed_experience)),
        (ci.needed_availability, many(&c.needed_availability)),
        (
            ci.other_efforts,
            format!("{} {}", many(&c.other_efforts), c.other_efforts_note)
                .trim()
                .to_string(),
        ),
    ]
}

pub struct OutsideRow {
    pub at: String,
    pub person: String,
    pub action: String,
    pub citizen: Uuid,
    pub short: String,
}

pub struct UnusualRow {
    pub person: String,
    pub day: String,
    pub citizens: i64,
    pub usual: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "insight/check.html")]
pub struct CheckView {
    pub page: Page,
    pub outside: Vec<OutsideRow>,
    pub unusual: Vec<UnusualRow>,
}
