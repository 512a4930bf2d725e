//! Citizens and referral (visitation): coordinators register referred mentees and their
//! parents or relatives, record consents, relations and conflicts, and open courses.
//! Every read and change is in the audit log with its purpose.

pub mod model;
pub mod repo;
mod views;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event, Reads};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::Messages;
use crate::vocab::{CitizenKind, CourseState};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{self, List, ListSpec, Sort};
use crate::{clock, corps, vocab};
use model::{CitizenForm, ConflictForm, ConsentForm, RelationForm};
use views::{FormView, Loaded, ShowView, SmallForms};

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
        Route::post(
            "/borgere/{id}/relationer/soeg",
            COORDINATOR,
            search_relation,
        ),
        Route::post("/borgere/{id}/konflikter", COORDINATOR, add_conflict),
    ]
}

/// Why citizen data is read or changed here (the audit log's purpose).
pub const PURPOSE_CASEWORK: &str = "casework";

/// An audit entry about citizen `id`, read or changed for casework.
fn casework(action: &'static str, id: Uuid) -> Event<'static> {
    Event::new(action)
        .subject("citizen", id)
        .citizen(id)
        .purpose(PURPOSE_CASEWORK)
}

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

fn status_label(t: &'static Messages, state: Option<CourseState>) -> String {
    match state {
        None => t.citizens.citizen_no_course.to_string(),
        Some(state) => state.label(t).to_string(),
    }
}

pub async fn list_page(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let mut query = LIST.read(query.as_deref());
    query
        .keep("kind", |kind| CitizenKind::from_code(kind).is_some())
        .keep_one_of("status", &["waiting", "open", "closed"]);
    let filter = repo::ListFilter {
        q: query.q(),
        kind: query.filter("kind"),
        status: query.filter("status"),
    };
    let (column, descending) = (query.sort.column, query.sort.descending);
    let list = table::load!(query, |limit, offset| repo::list(
        &mut tx, &filter, descending, column, limit, offset
    ));
    reads.citizens(
        &tx,
        Event::new("citizen_list_read")
            .purpose(PURPOSE_CASEWORK)
            .details(json!({
                "page": "/borgere",
                "q": filter.q,
                "kind": filter.kind,
                "status": filter.status,
            })),
        list.rows.iter().map(|row| row.id),
    );
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
            kind: vocab::label(t, row.kind.code()),
            birth_year: row.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            referred_on: clock::format_date(row.referred_on),
            status: status_label(t, row.course_state),
            name: row.name,
        });
    Ok(ListView {
        kinds: vocab::options(t, CitizenKind::CODES),
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
        Err(errors) => return Ok(forms::invalid(FormView::new(page, form, errors, None))),
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert(&mut tx, &citizen).await?;
    let location = format!("/borgere/{id}");
    forms::complete(&mut tx, key, &location).await?;
    Done::to(location)
        .audit(casework("citizen_created", id))
        .said(t.citizens.citizen_created)
        .finish(tx, addr, &session)
        .await
}

fn form_of(record: &repo::Record) -> CitizenForm {
    let c = &record.citizen;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CitizenForm {
        kind: c.kind.code().to_string(),
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
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let record = record(&mut tx, id).await?;
    reads.citizen(&tx, casework("citizen_read", id), id);
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
    reads: Reads,
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
            reads.citizen(&tx, casework("citizen_read", id), id);
            let view = FormView::new(page, form, errors, Some((id, &current.citizen.name)));
            return Ok(forms::invalid(view));
        }
    };
    if !repo::update(&mut tx, id, &citizen, form.version).await? {
        // Read again: the version saved in between may be newer than the one read above.
        let current = record(&mut tx, id).await?;
        reads.citizen(&tx, casework("citizen_read", id), id);
        let view = FormView::new(
            page,
            CitizenForm {
                version: current.version,
                ..form
            },
            FieldErrors::default(),
            Some((id, &current.citizen.name)),
        )
        .stale(&form_of(&current));
        return Ok(forms::stale(view));
    }
    Done::to(format!("/borgere/{id}"))
        .audit(casework("citizen_updated", id))
        .said(t.citizens.citizen_updated)
        .finish(tx, addr, &session)
        .await
}

pub async fn show_page(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let view = citizen_page(&mut tx, &reads, page, id, SmallForms::blank(clock::today())).await?;
    Ok(view.into_response())
}

/// The citizen page with its small forms as `small` holds them: the page itself, and the
/// answer to a small form that cannot be applied. Logs a read of the citizen, of each
/// relative it names, and of each match of a relation search.
async fn citizen_page(
    tx: &mut TenantTx,
    reads: &Reads,
    page: Page,
    id: Uuid,
    small: SmallForms,
) -> AppResult<ShowView> {
    let record = record(tx, id).await?;
    let other_kind = record.citizen.kind.other();
    let search = small.relation.q.trim().to_string();
    let relation_choices = if search.is_empty() {
        Vec::new()
    } else {
        repo::search(tx, other_kind, &search, RELATION_MATCHES).await?
    };
    let loaded = Loaded {
        consents: repo::consents(tx, id).await?,
        relations: repo::relations(tx, id).await?,
        conflicts: repo::conflicts(tx, id).await?,
        courses: repo::courses(tx, id).await?,
        relation_choices,
        members: corps::repo::options(tx).await?,
        record,
    };
    reads.citizen(tx, casework("citizen_read", id), id);
    reads.citizens(
        tx,
        casework("citizen_read", id).details(json!({ "shown_on": "relations" })),
        loaded.relations.iter().map(|r| r.other_id),
    );
    if !search.is_empty() {
        reads.citizens(
            tx,
            Event::new("citizen_list_read")
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "page": "relation_search", "q": search, "citizen": id })),
            loaded.relation_choices.iter().map(|c| c.id),
        );
    }
    Ok(ShowView::new(page, loaded, small))
}

/// At most this many matches answer a relation search.
const RELATION_MATCHES: i64 = 10;

/// The citizen page again (422) with what was typed into one small form and its
/// messages. Nothing of the form is written; the view is logged as a read, as `show_page`
/// logs it.
async fn again(
    mut tx: TenantTx,
    reads: &Reads,
    page: Page,
    id: Uuid,
    small: SmallForms,
) -> AppResult<Response> {
    let view = citizen_page(&mut tx, reads, page, id, small).await?;
    Ok(forms::invalid(view))
}

/// The relation form's search: the citizen page with the people of the other kind whose
/// name matches, to choose from. Only the matches are shown, and each is logged.
pub async fn search_relation(
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<RelationForm>,
) -> AppResult<Response> {
    let small = SmallForms::blank(clock::today()).relation(form, FieldErrors::default());
    let view = citizen_page(&mut tx, &reads, page, id, small).await?;
    Ok(view.into_response())
}

pub async fn add_consent(
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ConsentForm>,
) -> AppResult<Response> {
    let t = page.t;
    record(&mut tx, id).await?;
    let today = clock::today();
    let consent = match form.validate(today, t) {
        Ok(consent) => consent,
        Err(errors) => {
            let small = SmallForms::blank(today).consent(form, errors);
            return again(tx, &reads, page, id, small).await;
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let location = format!("/borgere/{id}#samtykker");
    forms::complete(&mut tx, key, &location).await?;
    let consent_id = repo::add_consent(
        &mut tx,
        id,
        &consent.kind,
        &consent.given_by,
        consent.given_on,
    )
    .await?;
    Done::to(location)
        .audit(
            casework("consent_recorded", id)
                .details(json!({ "consent": consent_id, "kind": consent.kind })),
        )
        .said(t.citizens.consent_recorded)
        .finish(tx, addr, &session)
        .await
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
    Done::to(format!("/borgere/{id}#samtykker"))
        .audit(casework("consent_withdrawn", id).details(json!({ "consent": consent_id })))
        .said(page.t.citizens.consent_withdrawn)
        .finish(tx, addr, &session)
        .await
}

pub async fn add_relation(
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<RelationForm>,
) -> AppResult<Response> {
    let t = page.t;
    let this = record(&mut tx, id).await?;
    let other = match form.other() {
        Some(other_id) => repo::get(&mut tx, other_id).await?,
        None => None,
    };
    let other = other.as_ref().map(|o| (o.id, o.citizen.kind));
    let form_key = form.form_key;
    let new = match form.validate((id, this.citizen.kind), other, t) {
        Ok(new) => new,
        Err(errors) => {
            let small = SmallForms::blank(clock::today()).relation(form, errors);
            return again(tx, &reads, page, id, small).await;
        }
    };
    let key = form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let location = format!("/borgere/{id}#relationer");
    forms::complete(&mut tx, key, &location).await?;
    repo::add_relation(&mut tx, new.mentee, new.relative, &new.relation).await?;
    Done::to(location)
        .audit(casework("relation_added", new.mentee))
        .audit(casework("relation_added", new.relative))
        .said(t.citizens.relation_added)
        .finish(tx, addr, &session)
        .await
}

pub async fn add_conflict(
    mut tx: TenantTx,
    addr: ClientAddr,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ConflictForm>,
) -> AppResult<Response> {
    let t = page.t;
    record(&mut tx, id).await?;
    let member = match form.member() {
        Some(member_id) => corps::repo::get(&mut tx, Some(member_id), None).await?,
        None => None,
    };
    let form_key = form.form_key;
    let new = match form.validate(member.map(|m| m.id), t) {
        Ok(new) => new,
        Err(errors) => {
            let small = SmallForms::blank(clock::today()).conflict(form, errors);
            return again(tx, &reads, page, id, small).await;
        }
    };
    let key = form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let location = format!("/borgere/{id}#konflikter");
    forms::complete(&mut tx, key, &location).await?;
    repo::add_conflict(&mut tx, id, new.member, &new.reason).await?;
    Done::to(location)
        .audit(casework("conflict_recorded", id).details(json!({ "member": new.member })))
        .said(t.citizens.conflict_recorded)
        .finish(tx, addr, &session)
        .await
}
