//! Citizens and referral (visitation): coordinators register referred mentees and their
//! parents or relatives, record consents, relations and conflicts, and open courses.
//! Every read and change is in the audit log with its purpose.

pub mod model;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::{CourseKind, CourseState};
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Choice, Claim, FieldErrors, Form, choices};
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{List, ListSpec, Sort};
use crate::web::{Page, flash};
use crate::{clock, corps, vocab};
use model::{Citizen, CitizenForm};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/borgere", COORDINATOR, list_page).menu(20, |t| t.common.nav_citizens),
        Route::get("/borgere/ny", COORDINATOR, new_page),
        Route::post("/borgere", COORDINATOR, create),
        Route::get("/borgere/{id}", COORDINATOR, show_page),
        Route::post("/borgere/{id}", COORDINATOR, update),
        Route::get("/borgere/{id}/rediger", COORDINATOR, edit_page),
        Route::post("/borgere/{id}/samtykker", COORDINATOR, add_consent),
        Route::post(
            "/borgere/{id}/samtykker/{consent_id}/tilbagekald",
            COORDINATOR,
            withdraw_consent,
        ),
        Route::post("/borgere/{id}/relationer", COORDINATOR, add_relation),
        Route::post("/borgere/{id}/konflikter", COORDINATOR, add_conflict),
    ]
}

/// Why citizen data is read or changed here (the audit log's purpose).
pub const PURPOSE_CASEWORK: &str = "casework";

static LIST: ListSpec = ListSpec {
    path: "/borgere",
    search: true,
    filters: &["kind", "status"],
    sorts: &["name", "referred_on"],
    default_sort: Sort::desc("referred_on"),
    ..ListSpec::PLAIN
};

pub struct ListRow {
    id: Uuid,
    name: String,
    kind: String,
    birth_year: String,
    referred_on: String,
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "citizens/list.html")]
struct ListView {
    page: Page,
    kinds: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    list: List<ListRow>,
}

fn status_label(t: &'static Messages, state: Option<&str>) -> String {
    match state.and_then(CourseState::from_code) {
        None => t.citizens.citizen_no_course.to_string(),
        Some(state) => state.label(t).to_string(),
    }
}

pub async fn list_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let mut query = LIST.read(query.as_deref());
    query
        .keep("kind", |kind| vocab::one_of(kind, model::KINDS).is_some())
        .keep_one_of("status", &["waiting", "open", "closed"]);
    let filter = repo::ListFilter {
        q: query.q(),
        kind: query.filter("kind"),
        status: query.filter("status"),
    };
    let (column, descending) = (query.sort.column, query.sort.descending);
    let mut pager = query.pager();
    while let Some((limit, offset)) = pager.wants() {
        pager.got(repo::list(&mut tx, &filter, descending, column, limit, offset).await?);
    }
    let list = pager.list();
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "rows": list.rows.len() })),
    )
    .await?;
    tx.commit().await?;
    let list = list
        .columns(
            t,
            &[
                (t.common.name, Some("name")),
                (t.citizens.citizen_kind, None),
                (t.common.birth_year, None),
                (t.common.referred_on, Some("referred_on")),
                (t.common.status, None),
            ],
        )
        .map(|row| ListRow {
            id: row.id,
            kind: vocab::label(t, &row.kind),
            birth_year: row.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            referred_on: clock::format_date(row.referred_on),
            status: status_label(t, row.course_state.as_deref()),
            name: row.name,
        });
    Ok(ListView {
        kinds: vocab::options(t, model::KINDS),
        statuses: vec![
            ("waiting", t.citizens.citizen_status_waiting),
            ("open", t.citizens.citizen_status_open),
            ("closed", t.citizens.citizen_status_closed),
        ],
        page: page
            .titled(t.citizens.citizens_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.citizens.citizens_title, "/borgere"),
        list,
    }
    .into_response())
}

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
            kinds: vocab::options(t, model::KINDS),
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
struct FormView {
    page: Page,
    action: String,
    form: CitizenForm,
    errors: FieldErrors,
    c: FormChoices,
    form_key: String,
    conflict: bool,
}

impl FormView {
    fn new(
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
            conflict: false,
            page: page
                .titled(title.clone())
                .crumb(t.common.nav_start, "/")
                .crumb(t.citizens.citizens_title, "/borgere")
                .crumb(title, href),
        }
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

pub async fn new_page(page: Page) -> Response {
    let form = CitizenForm {
        referred_on: clock::format_date(clock::today()),
        ..Default::default()
    };
    FormView::new(page, form, FieldErrors::default(), None).into_response()
}

pub async fn create(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<CitizenForm>,
) -> AppResult<Response> {
    let t = page.t;
    let citizen = match form.validate(clock::today(), t) {
        Ok(citizen) => citizen,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                FormView::new(page, form, errors, None),
            )
                .into_response());
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert(&mut tx, &citizen).await?;
    let location = format!("/borgere/{id}");
    forms::complete(&mut tx, key, &location).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_created")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.citizens.citizen_created).await?;
    Ok(Redirect::to(&location).into_response())
}

fn form_of(record: &repo::Record) -> CitizenForm {
    let c = &record.citizen;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CitizenForm {
        kind: c.kind.clone(),
        name: c.name.clone(),
        birth_year: c.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        gender: text(&c.gender),
        languages: c.languages.clone(),
        cultural_background: text(&c.cultural_background),
        referred_on: clock::format_date(c.referred_on),
        referral_source: c.referral_source.clone(),
        referred_by: c.referred_by.clone(),
        criteria: c.criteria.clone(),
        legal_basis: c.legal_basis.clone(),
        legal_basis_note: c.legal_basis_note.clone(),
        preferred_gender: text(&c.preferred_gender),
        preferred_age_band: text(&c.preferred_age_band),
        preferred_language: text(&c.preferred_language),
        preferred_culture: text(&c.preferred_culture),
        preference_note: c.preference_note.clone(),
        needs_religion_politics: c.needs_religion_politics.then(|| "1".into()),
        needed_temperament: c
            .needed_temperament
            .map(|v| v.to_string())
            .unwrap_or_default(),
        needed_experience: c.needed_experience.clone(),
        needed_availability: c.needed_availability.clone(),
        other_efforts: c.other_efforts.clone(),
        other_efforts_note: c.other_efforts_note.clone(),
        version: record.version,
        form_key: None,
    }
}

async fn record(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Record> {
    repo::get(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn edit_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let record = record(&mut tx, id).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_read")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;
    tx.commit().await?;
    Ok(FormView::new(
        page,
        form_of(&record),
        FieldErrors::default(),
        Some((id, &record.citizen.name)),
    )
    .into_response())
}

pub async fn update(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<CitizenForm>,
) -> AppResult<Response> {
    let t = page.t;
    let current = record(&mut tx, id).await?;
    let mut checked = form.validate(clock::today(), t);
    // A mentee with courses or relatives cannot become a relative (and back): the
    // courses and relations would no longer fit.
    if let Ok(citizen) = &checked {
        let bound = !repo::courses(&mut tx, id).await?.is_empty()
            || !repo::relations(&mut tx, id).await?.is_empty();
        if citizen.kind != current.citizen.kind && bound {
            let mut errors = FieldErrors::default();
            errors.add("kind", t.citizens.citizen_kind_locked);
            checked = Err(errors);
        }
    }
    let citizen = match checked {
        Ok(citizen) => citizen,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                FormView::new(page, form, errors, Some((id, &current.citizen.name))),
            )
                .into_response());
        }
    };
    if !repo::update(&mut tx, id, &citizen, form.version).await? {
        let mut view = FormView::new(
            page,
            CitizenForm {
                version: current.version,
                ..form
            },
            FieldErrors::default(),
            Some((id, &current.citizen.name)),
        );
        view.conflict = true;
        return Ok((StatusCode::CONFLICT, view).into_response());
    }
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_updated")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.citizens.citizen_updated).await?;
    Ok(Redirect::to(&format!("/borgere/{id}")).into_response())
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
struct ShowView {
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
    today: String,
    form_key: String,
}

fn labels(t: &'static Messages, codes: &[String]) -> String {
    codes
        .iter()
        .map(|code| vocab::label(t, code))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn show_page(
    mut tx: TenantTx,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let t = page.t;
    let record = record(&mut tx, id).await?;
    let consents = repo::consents(&mut tx, id).await?;
    let relations = repo::relations(&mut tx, id).await?;
    let conflicts = repo::conflicts(&mut tx, id).await?;
    let courses = repo::courses(&mut tx, id).await?;
    let other_kind = if record.citizen.kind == "mentee" {
        "relative"
    } else {
        "mentee"
    };
    let relation_choices = repo::choices(&mut tx, other_kind).await?;
    let members = corps::repo::options(&mut tx).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("citizen_read")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK),
    )
    .await?;
    tx.commit().await?;

    let c = record.citizen;
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(|code| vocab::label(t, code))
            .unwrap_or_default()
    };
    let mut facts = vec![
        (t.citizens.citizen_kind, vocab::label(t, &c.kind)),
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
    let course_kinds: Vec<(&'static str, &'static str)> = CourseKind::ALL
        .iter()
        .filter(|kind| kind.citizen_kind() == c.kind && **kind != CourseKind::RelativesNetwork)
        .map(|kind| (kind.code(), kind.label(t)))
        .collect();
    Ok(ShowView {
        id,
        facts,
        consents: consents
            .into_iter()
            .map(|consent| ConsentRow {
                id: consent.id,
                kind: vocab::label(t, &consent.kind),
                given_by: vocab::label(t, &consent.given_by),
                given_on: clock::format_date(consent.given_on),
                withdrawn_on: consent.withdrawn_on.map(clock::format_date),
            })
            .collect(),
        relations: relations
            .into_iter()
            .map(|r| (r.other_id, r.other_name, vocab::label(t, &r.relation)))
            .collect(),
        relation_choices: relation_choices
            .into_iter()
            .map(|choice| {
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
            })
            .collect(),
        conflicts: conflicts
            .into_iter()
            .map(|c| (c.member_name, vocab::label(t, &c.reason)))
            .collect(),
        member_choices: members
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        courses: courses
            .into_iter()
            .map(|course| {
                let kind = CourseKind::from_code(&course.kind)
                    .map(|k| k.label(t))
                    .unwrap_or_default()
                    .to_string();
                let state = CourseState::from_code(&course.state)
                    .map(|s| s.label(t))
                    .unwrap_or_default()
                    .to_string();
                (
                    course.id,
                    kind,
                    state,
                    clock::format_date(course.referred_on),
                    course.member_name.unwrap_or_default(),
                )
            })
            .collect(),
        course_kinds,
        consent_kinds: vocab::options(t, model::CONSENT_KINDS),
        consent_givers: vocab::options(t, model::CONSENT_GIVERS),
        relation_kinds: vocab::options(t, model::RELATIONS),
        conflict_reasons: vocab::options(t, model::CONFLICT_REASONS),
        today: clock::format_date(clock::today()),
        form_key: Uuid::new_v4().to_string(),
        page: page
            .titled(c.name.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(t.citizens.citizens_title, "/borgere")
            .crumb(c.name.clone(), format!("/borgere/{id}")),
        c,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default, rename = "consent-kind")]
    kind: String,
    #[serde(default, rename = "consent-given_by")]
    given_by: String,
    #[serde(default, rename = "consent-given_on")]
    given_on: String,
}

pub async fn add_consent(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ConsentForm>,
) -> AppResult<Response> {
    let t = page.t;
    record(&mut tx, id).await?;
    let (Some(kind), Some(given_by), Some(given_on)) = (
        vocab::one_of(&form.kind, model::CONSENT_KINDS),
        vocab::one_of(&form.given_by, model::CONSENT_GIVERS),
        forms::parse_date(&form.given_on).filter(|date| *date <= clock::today()),
    ) else {
        flash::push(&session, flash::Kind::Error, t.citizens.consent_invalid).await?;
        return Ok(Redirect::to(&format!("/borgere/{id}#samtykker")).into_response());
    };
    let consent_id = repo::add_consent(&mut tx, id, &kind, &given_by, given_on).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("consent_recorded")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "consent": consent_id, "kind": kind })),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.citizens.consent_recorded).await?;
    Ok(Redirect::to(&format!("/borgere/{id}#samtykker")).into_response())
}

pub async fn withdraw_consent(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path((id, consent_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    record(&mut tx, id).await?;
    if !repo::withdraw_consent(&mut tx, id, consent_id, clock::today()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        addr,
        Event::new("consent_withdrawn")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "consent": consent_id })),
    )
    .await?;
    tx.commit().await?;
    flash::push(
        &session,
        flash::Kind::Success,
        page.t.citizens.consent_withdrawn,
    )
    .await?;
    Ok(Redirect::to(&format!("/borgere/{id}#samtykker")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RelationForm {
    #[serde(default)]
    other_id: String,
    #[serde(default)]
    relation: String,
}

pub async fn add_relation(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<RelationForm>,
) -> AppResult<Response> {
    let t = page.t;
    let this = record(&mut tx, id).await?;
    let other = match form.other_id.parse::<Uuid>() {
        Ok(other_id) => repo::get(&mut tx, other_id).await?,
        Err(_) => None,
    };
    let relation = vocab::one_of(&form.relation, model::RELATIONS);
    let (Some(other), Some(relation)) = (
        other.filter(|o| o.citizen.kind != this.citizen.kind),
        relation,
    ) else {
        flash::push(&session, flash::Kind::Error, t.citizens.relation_invalid).await?;
        return Ok(Redirect::to(&format!("/borgere/{id}#relationer")).into_response());
    };
    let (mentee, relative) = if this.citizen.kind == "mentee" {
        (id, other.id)
    } else {
        (other.id, id)
    };
    repo::add_relation(&mut tx, mentee, relative, &relation).await?;
    for citizen in [mentee, relative] {
        audit::record(
            &mut tx,
            addr,
            Event::new("relation_added")
                .subject("citizen", citizen)
                .purpose(PURPOSE_CASEWORK),
        )
        .await?;
    }
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.citizens.relation_added).await?;
    Ok(Redirect::to(&format!("/borgere/{id}#relationer")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn add_conflict(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ConflictForm>,
) -> AppResult<Response> {
    let t = page.t;
    record(&mut tx, id).await?;
    let member = match form.member_id.parse::<Uuid>() {
        Ok(member_id) => corps::repo::get(&mut tx, Some(member_id), None).await?,
        Err(_) => None,
    };
    let (Some(member), Some(reason)) =
        (member, vocab::one_of(&form.reason, model::CONFLICT_REASONS))
    else {
        flash::push(&session, flash::Kind::Error, t.citizens.conflict_invalid).await?;
        return Ok(Redirect::to(&format!("/borgere/{id}#konflikter")).into_response());
    };
    repo::add_conflict(&mut tx, id, member.id, &reason).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("conflict_recorded")
            .subject("citizen", id)
            .purpose(PURPOSE_CASEWORK)
            .details(json!({ "member": member.id })),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, t.citizens.conflict_recorded).await?;
    Ok(Redirect::to(&format!("/borgere/{id}#konflikter")).into_response())
}
