//! The citizen pages as their templates show them: the referral form, and the citizen
//! page with its facts, consents, relations, conflicts, courses and small forms.

use askama::Template;
use askama_web::WebTemplate;
use time::Date;
use uuid::Uuid;

use super::model::{self, Citizen, CitizenForm, ConflictForm, ConsentForm, RelationForm};
use super::repo;
use crate::corps::repo::MemberChoice;
use crate::i18n::Messages;
use crate::vocab::{CitizenKind, CourseKind};
use crate::web::Page;
use crate::web::forms::{
    Choice, Difference, FieldErrors, choices, differences, option_label, option_labels,
};
use crate::{clock, corps, vocab};

/// The choices of the referral form.
pub struct FormChoices {
    kinds: Vec<(&'static str, String)>,
    genders: Vec<(&'static str, String)>,
    preferred_genders: Vec<(&'static str, String)>,
    age_bands: Vec<(&'static str, String)>,
    languages: Vec<(&'static str, String)>,
    cultures: Vec<(&'static str, String)>,
    sources: Vec<(&'static str, String)>,
    criteria: Vec<(&'static str, String)>,
    legal_bases: Vec<(&'static str, String)>,
    experience: Vec<(&'static str, String)>,
    availability: Vec<(&'static str, String)>,
    efforts: Vec<(&'static str, String)>,
    temperaments: Vec<(&'static str, String)>,
}

impl FormChoices {
    fn new(t: &'static Messages) -> Self {
        FormChoices {
            kinds: vocab::options(t, CitizenKind::CODES),
            genders: vocab::options(t, vocab::GENDERS),
            preferred_genders: vocab::options(t, &["female", "male"]),
            age_bands: vocab::options(t, vocab::AGE_BANDS),
            languages: vocab::options(t, vocab::LANGUAGES),
            cultures: vocab::options(t, vocab::CULTURES),
            sources: vocab::options(t, model::REFERRAL_SOURCES),
            criteria: vocab::options(t, model::CRITERIA),
            legal_bases: vocab::options(t, model::LEGAL_BASES),
            experience: vocab::options(t, vocab::EXPERIENCE),
            availability: vocab::options(t, vocab::AVAILABILITY),
            efforts: vocab::options(t, model::OTHER_EFFORTS),
            temperaments: corps::temperament_options(t),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "citizens/form.html")]
pub struct FormView {
    page: Page,
    action: String,
    form: CitizenForm,
    errors: FieldErrors,
    c: FormChoices,
    form_key: String,
    /// Saved by someone else meanwhile: the fields that differ (409).
    stale: Option<Vec<Difference>>,
}

impl FormView {
    pub fn new(
        page: Page,
        form: CitizenForm,
        errors: FieldErrors,
        existing: Option<(Uuid, &str)>,
    ) -> Self {
        let t = page.t;
        let (title, action, href) = match existing {
            Some((id, name)) => (
                name.to_string(),
                format!("/borgere/{id}"),
                format!("/borgere/{id}/rediger"),
            ),
            None => (
                t.common.new_citizen.to_string(),
                "/borgere".to_string(),
                "/borgere/ny".to_string(),
            ),
        };
        FormView {
            action,
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            form,
            errors,
            c: FormChoices::new(t),
            stale: None,
            page: page
                .titled(title.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(t.citizens.citizens_title, "/borgere")
                .crumb(title, href),
        }
    }

    /// The form after a save over someone else's: `theirs` is the saved citizen.
    pub fn stale(mut self, theirs: &CitizenForm) -> Self {
        self.stale = Some(differences(self.shown(&self.form), self.shown(theirs)));
        self
    }

    /// Every field as a reader sees it: (label, value with options' labels).
    fn shown(&self, form: &CitizenForm) -> Vec<(&'static str, String)> {
        let (t, c) = (self.page.t, &self.c);
        vec![
            (t.citizens.citizen_kind, option_label(&c.kinds, &form.kind)),
            (t.common.name, form.name.clone()),
            (t.common.birth_year, form.birth_year.clone()),
            (t.common.gender, option_label(&c.genders, &form.gender)),
            (
                t.common.languages,
                option_labels(&c.languages, &form.languages),
            ),
            (
                t.common.cultural_background,
                option_label(&c.cultures, &form.cultural_background),
            ),
            (t.common.referred_on, form.referred_on.clone()),
            (
                t.citizens.referral_source,
                option_label(&c.sources, &form.referral_source),
            ),
            (t.citizens.referred_by, form.referred_by.clone()),
            (
                t.citizens.criteria,
                option_labels(&c.criteria, &form.criteria),
            ),
            (
                t.citizens.legal_basis,
                option_label(&c.legal_bases, &form.legal_basis),
            ),
            (t.citizens.legal_basis_note, form.legal_basis_note.clone()),
            (
                t.citizens.other_efforts,
                option_labels(&c.efforts, &form.other_efforts),
            ),
            (
                t.citizens.other_efforts_note,
                form.other_efforts_note.clone(),
            ),
            (
                t.common.preferred_gender,
                option_label(&c.preferred_genders, &form.preferred_gender),
            ),
            (
                t.common.preferred_age_band,
                option_label(&c.age_bands, &form.preferred_age_band),
            ),
            (
                t.common.preferred_language,
                option_label(&c.languages, &form.preferred_language),
            ),
            (
                t.citizens.preferred_culture,
                option_label(&c.cultures, &form.preferred_culture),
            ),
            (t.citizens.preference_note, form.preference_note.clone()),
            (
                t.common.needs_religion_politics,
                if form.needs_religion_politics.is_some() {
                    t.common.yes.to_string()
                } else {
                    t.common.no.to_string()
                },
            ),
            (
                t.citizens.needed_temperament,
                option_label(&c.temperaments, &form.needed_temperament),
            ),
            (
                t.citizens.needed_experience,
                option_labels(&c.experience, &form.needed_experience),
            ),
            (
                t.citizens.needed_availability,
                option_labels(&c.availability, &form.needed_availability),
            ),
        ]
    }

    fn criteria(&self) -> Vec<Choice> {
        choices(&self.c.criteria, &self.form.criteria)
    }
    fn languages(&self) -> Vec<Choice> {
        choices(&self.c.languages, &self.form.languages)
    }
    fn experience(&self) -> Vec<Choice> {
        choices(&self.c.experience, &self.form.needed_experience)
    }
    fn availability(&self) -> Vec<Choice> {
        choices(&self.c.availability, &self.form.needed_availability)
    }
    fn efforts(&self) -> Vec<Choice> {
        choices(&self.c.efforts, &self.form.other_efforts)
    }
}

/// The small forms of the citizen page: blank on the page itself; after a form that could
/// not be applied, what was typed into it and the messages next to its fields.
pub struct SmallForms {
    pub consent: ConsentForm,
    pub relation: RelationForm,
    pub conflict: ConflictForm,
    pub errors: FieldErrors,
}

impl SmallForms {
    /// As the page shows them first: empty, a consent given `today`.
    pub fn blank(today: Date) -> SmallForms {
        SmallForms {
            consent: ConsentForm {
                given_on: clock::format_date(today),
                ..ConsentForm::default()
            },
            relation: RelationForm::default(),
            conflict: ConflictForm::default(),
            errors: FieldErrors::default(),
        }
    }

    /// With the consent form as typed and its messages.
    pub fn consent(self, consent: ConsentForm, errors: FieldErrors) -> SmallForms {
        SmallForms {
            consent,
            errors,
            ..self
        }
    }

    /// With the relation form as typed and its messages.
    pub fn relation(self, relation: RelationForm, errors: FieldErrors) -> SmallForms {
        SmallForms {
            relation,
            errors,
            ..self
        }
    }

    /// With the conflict form as typed and its messages.
    pub fn conflict(self, conflict: ConflictForm, errors: FieldErrors) -> SmallForms {
        SmallForms {
            conflict,
            errors,
            ..self
        }
    }
}

/// What the citizen page shows, as read.
pub struct Loaded {
    pub record: repo::Record,
    pub consents: Vec<repo::Consent>,
    pub relations: Vec<repo::Relation>,
    pub conflicts: Vec<repo::Conflict>,
    pub courses: Vec<repo::CourseOfCitizen>,
    /// The citizens of the other kind, for the relation form.
    pub relation_choices: Vec<repo::CitizenChoice>,
    /// The corps, for the conflict form.
    pub members: Vec<MemberChoice>,
}

pub struct ConsentRow {
    id: Uuid,
    kind: String,
    given_by: String,
    given_on: String,
    withdrawn_on: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "citizens/show.html")]
pub struct ShowView {
    page: Page,
    id: Uuid,
    c: Citizen,
    facts: Vec<(&'static str, String)>,
    consents: Vec<ConsentRow>,
    relations: Vec<(Uuid, String, String)>,
    relation_choices: Vec<(String, String)>,
    conflicts: Vec<(String, String)>,
    member_choices: Vec<(String, String)>,
    courses: Vec<(Uuid, String, String, String, String)>,
    course_kinds: Vec<(&'static str, &'static str)>,
    consent_kinds: Vec<(&'static str, String)>,
    consent_givers: Vec<(&'static str, String)>,
    relation_kinds: Vec<(&'static str, String)>,
    conflict_reasons: Vec<(&'static str, String)>,
    small: SmallForms,
    form_key: String,
    /// The small forms' one-time keys: kept when a form comes back with messages.
    consent_key: String,
    relation_key: String,
    conflict_key: String,
}

impl ShowView {
    pub fn new(page: Page, loaded: Loaded, small: SmallForms) -> ShowView {
        let t = page.t;
        let id = loaded.record.id;
        let c = loaded.record.citizen;
        let key = |key: Option<Uuid>| key.unwrap_or_else(Uuid::new_v4).to_string();
        ShowView {
            consent_key: key(small.consent.form_key),
            relation_key: key(small.relation.form_key),
            conflict_key: key(small.conflict.form_key),
            id,
            facts: facts(t, &c),
            consents: loaded
                .consents
                .into_iter()
                .map(|consent| consent_row(t, consent))
                .collect(),
            relations: loaded
                .relations
                .into_iter()
                .map(|r| (r.other_id, r.other_name, vocab::label(t, &r.relation)))
                .collect(),
            relation_choices: loaded
                .relation_choices
                .into_iter()
                .map(relation_choice)
                .collect(),
            conflicts: loaded
                .conflicts
                .into_iter()
                .map(|c| (c.member_name, vocab::label(t, &c.reason)))
                .collect(),
            member_choices: loaded
                .members
                .into_iter()
                .map(|m| (m.id.to_string(), m.name))
                .collect(),
            courses: loaded
                .courses
                .into_iter()
                .map(|course| course_row(t, course))
                .collect(),
            course_kinds: CourseKind::ALL
                .iter()
                .filter(|kind| {
                    kind.citizen_kind() == c.kind && **kind != CourseKind::RelativesNetwork
                })
                .map(|kind| (kind.code(), kind.label(t)))
                .collect(),
            consent_kinds: vocab::options(t, model::CONSENT_KINDS),
            consent_givers: vocab::options(t, model::CONSENT_GIVERS),
            relation_kinds: vocab::options(t, model::RELATIONS),
            conflict_reasons: vocab::options(t, model::CONFLICT_REASONS),
            small,
            form_key: Uuid::new_v4().to_string(),
            page: page
                .titled(c.name.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(t.citizens.citizens_title, "/borgere")
                .crumb(c.name.clone(), format!("/borgere/{id}")),
            c,
        }
    }
}

fn labels(t: &'static Messages, codes: &[String]) -> String {
    codes
        .iter()
        .map(|code| vocab::label(t, code))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The citizen's details as label and value, those without a value left out.
fn facts(t: &'static Messages, c: &Citizen) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|code| vocab::label(t, code))
            .unwrap_or_default()
    };
    let mut facts = vec![
        (t.citizens.citizen_kind, vocab::label(t, c.kind.code())),
        (
            t.common.birth_year,
            c.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        (t.common.gender, opt(&c.gender)),
        (t.common.languages, labels(t, &c.languages)),
        (t.common.cultural_background, opt(&c.cultural_background)),
        (t.common.referred_on, clock::format_date(c.referred_on)),
        (
            t.citizens.referral_source,
            vocab::label(t, &c.referral_source),
        ),
        (t.citizens.referred_by, c.referred_by.clone()),
        (t.citizens.criteria, labels(t, &c.criteria)),
        (
            t.citizens.legal_basis,
            format!("{} {}", vocab::label(t, &c.legal_basis), c.legal_basis_note)
                .trim()
                .to_string(),
        ),
        (t.common.preferred_gender, opt(&c.preferred_gender)),
        (t.common.preferred_age_band, opt(&c.preferred_age_band)),
        (t.common.preferred_language, opt(&c.preferred_language)),
        (t.citizens.preferred_culture, opt(&c.preferred_culture)),
        (t.citizens.preference_note, c.preference_note.clone()),
        (
            t.common.needs_religion_politics,
            if c.needs_religion_politics {
                t.common.yes.to_string()
            } else {
                t.common.no.to_string()
            },
        ),
        (
            t.citizens.needed_experience,
            labels(t, &c.needed_experience),
        ),
        (
            t.citizens.needed_availability,
            labels(t, &c.needed_availability),
        ),
        (
            t.citizens.other_efforts,
            format!("{} {}", labels(t, &c.other_efforts), c.other_efforts_note)
                .trim()
                .to_string(),
        ),
    ];
    facts.retain(|(_, value)| !value.is_empty());
    facts
}

fn consent_row(t: &'static Messages, consent: repo::Consent) -> ConsentRow {
    ConsentRow {
        id: consent.id,
        kind: vocab::label(t, &consent.kind),
        given_by: vocab::label(t, &consent.given_by),
        given_on: clock::format_date(consent.given_on),
        withdrawn_on: consent.withdrawn_on.map(clock::format_date),
    }
}

/// (id, "name (birth year)") for the relation form's select.
fn relation_choice(choice: repo::CitizenChoice) -> (String, String) {
    (
        choice.id.to_string(),
        format!(
            "{}{}",
            choice.name,
            choice
                .birth_year
                .map(|y| format!(" ({y})"))
                .unwrap_or_default()
        ),
    )
}

fn course_row(
    t: &'static Messages,
    course: repo::CourseOfCitizen,
) -> (Uuid, String, String, String, String) {
    (
        course.id,
        course.kind.label(t).to_string(),
        course.state.label(t).to_string(),
        clock::format_date(course.referred_on),
        course.member_name.unwrap_or_default(),
    )
}
