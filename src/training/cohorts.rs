//! Cohorts and their modules: national staff create and change cohorts, add modules and
//! record attendance per module; the cohort page shows coordinators their seats, their
//! participants and the nomination form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::{
    CohortForm, ModuleForm, Phase, Programme, ValidCohort, completion, format_span,
};
use super::{SeatsLeft, programmes_label, repo, seats_left};
use crate::audit::{Done, Event};
use crate::auth::CurrentUser;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::fill;
use crate::vocab::Role;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Choice, Claim, FieldErrors, Form, choices};

// The cohort form (national).

#[derive(Template, WebTemplate)]
#[template(path = "training/cohort_form.html")]
struct CohortFormView {
    page: Page,
    action: String,
    form: CohortForm,
    errors: FieldErrors,
    form_key: String,
    version: i32,
    editing: bool,
    rounds: Vec<(String, String)>,
    /// Saved by someone else meanwhile: the fields that differ (409).
    stale: Option<Vec<forms::Difference>>,
}

impl CohortFormView {
    fn new(
        page: Page,
        form: CohortForm,
        errors: FieldErrors,
        rounds: &[(Uuid, String)],
        existing: Option<&repo::Cohort>,
    ) -> Self {
        let t = page.t;
        let tm = &t.training;
        let action = match existing {
            Some(cohort) => format!("/uddannelse/hold/{}/rediger", cohort.id),
            None => "/uddannelse/hold".to_string(),
        };
        let mut page = page
            .titled(existing.map_or(tm.new_cohort.to_string(), |c| c.name.clone()))
            .crumb(t.common.nav_start, "/")
            .crumb(tm.title, "/uddannelse");
        if let Some(cohort) = existing {
            page = page.crumb(
                cohort.name.clone(),
                format!("/uddannelse/hold/{}", cohort.id),
            );
        }
        let page = page.crumb(
            if existing.is_some() {
                t.common.edit
            } else {
                tm.new_cohort
            },
            action.clone(),
        );
        CohortFormView {
            page,
            action,
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            version: form
                .version
                .or(existing.map(|c| c.version))
                .unwrap_or_default(),
            editing: existing.is_some(),
            rounds: rounds
                .iter()
                .map(|(id, title)| (id.to_string(), title.clone()))
                .collect(),
            form,
            errors,
            stale: None,
        }
    }

    /// The form after a save over someone else's: `theirs` is the saved cohort.
    fn stale(mut self, theirs: &CohortForm) -> Self {
        self.stale = Some(forms::differences(
            self.shown(&self.form),
            self.shown(theirs),
        ));
        self
    }

    /// Every field as a reader sees it.
    fn shown(&self, form: &CohortForm) -> Vec<(&'static str, String)> {
        let t = self.page.t;
        vec![
            (t.training.cohort_name, form.name.clone()),
            (
                t.training.round,
                forms::option_label(&self.rounds, &form.round_id),
            ),
            (t.apps.programme_mentor, form.mentor_seats.clone()),
            (
                t.apps.programme_parent_coach,
                form.parent_coach_seats.clone(),
            ),
            (t.apps.programme_coordinator, form.coordinator_seats.clone()),
            (t.training.corps_until, form.corps_until.clone()),
        ]
    }
}

fn form_of(cohort: &repo::Cohort) -> CohortForm {
    CohortForm {
        name: cohort.name.clone(),
        round_id: cohort.round_id.map(|id| id.to_string()).unwrap_or_default(),
        mentor_seats: cohort.mentor_seats.to_string(),
        parent_coach_seats: cohort.parent_coach_seats.to_string(),
        coordinator_seats: cohort.coordinator_seats.to_string(),
        corps_until: clock::format_date(cohort.corps_until),
        version: Some(cohort.version),
        form_key: None,
    }
}

pub async fn new_cohort_page(mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let rounds = repo::training_rounds(&mut tx).await?;
    tx.commit().await?;
    Ok(CohortFormView::new(
        page,
        CohortForm::default(),
        FieldErrors::default(),
        &rounds,
        None,
    )
    .into_response())
}

pub async fn create_cohort(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<CohortForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let rounds = repo::training_rounds(&mut tx).await?;
    let ids: Vec<Uuid> = rounds.iter().map(|(id, _)| *id).collect();
    let valid = match form.validate(&ids, tm) {
        Ok(valid) => valid,
        Err(errors) => {
            let view = CohortFormView::new(page, form, errors, &rounds, None);
            return Ok(forms::invalid(view));
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert_cohort(&mut tx, &valid).await?;
    let location = format!("/uddannelse/hold/{id}");
    forms::complete(&mut tx, key, &location).await?;
    cohort_saved(location, "training_cohort_created", id, &valid)
        .said(tm.cohort_created)
        .finish(tx, addr, &session)
        .await
}

/// On to `location` with the saved cohort's entry (`action`): its round and seats.
fn cohort_saved(
    location: String,
    action: &'static str,
    id: Uuid,
    valid: &ValidCohort,
) -> Done<'static> {
    Done::to(location).audit(
        Event::new(action)
            .subject("training_cohort", id)
            .details(json!({ "round_id": valid.round_id, "seats": valid.seats })),
    )
}

async fn existing(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Cohort> {
    repo::get_cohort(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn edit_cohort_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let cohort = existing(&mut tx, id).await?;
    let rounds = repo::training_rounds(&mut tx).await?;
    tx.commit().await?;
    Ok(CohortFormView::new(
        page,
        form_of(&cohort),
        FieldErrors::default(),
        &rounds,
        Some(&cohort),
    )
    .into_response())
}

pub async fn update_cohort(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<CohortForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let cohort = existing(&mut tx, id).await?;
    let rounds = repo::training_rounds(&mut tx).await?;
    let ids: Vec<Uuid> = rounds.iter().map(|(id, _)| *id).collect();
    let valid = match form.validate(&ids, tm) {
        Ok(valid) => valid,
        Err(errors) => {
            let view = CohortFormView::new(page, form, errors, &rounds, Some(&cohort));
            return Ok(forms::invalid(view));
        }
    };
    if !repo::update_cohort(&mut tx, id, &valid, form.version.unwrap_or_default()).await? {
        // Read again: the version saved in between may be newer than the one read above.
        let cohort = existing(&mut tx, id).await?;
        let view = CohortFormView::new(
            page,
            CohortForm {
                version: Some(cohort.version),
                ..form
            },
            FieldErrors::default(),
            &rounds,
            Some(&cohort),
        )
        .stale(&form_of(&cohort));
        return Ok(forms::stale(view));
    }
    let location = format!("/uddannelse/hold/{id}");
    cohort_saved(location, "training_cohort_updated", id, &valid)
        .said(tm.cohort_updated)
        .finish(tx, addr, &session)
        .await
}

// The cohort page (national staff and coordinators).

pub struct ModuleRow {
    pub id: Uuid,
    pub title: String,
    pub dates: String,
    pub place: String,
    pub programmes: String,
    pub attended: i64,
    pub held: bool,
}

pub struct ParticipantRow {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub programme: &'static str,
    pub progress: String,
    pub trained_on: String,
    pub withdrawable: bool,
}

pub struct SeatRow {
    pub label: &'static str,
    pub places: i16,
    pub taken: i64,
    /// Coordinators: what their municipality has left ("" for national staff).
    pub left: String,
}

/// The coordinator's nomination form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct NominationForm {
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub programme: String,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/cohort.html")]
pub struct CohortView {
    page: Page,
    id: Uuid,
    national: bool,
    name: String,
    round: String,
    corps_until: String,
    phase: &'static str,
    badge: &'static str,
    seats: Vec<SeatRow>,
    modules: Vec<ModuleRow>,
    participants: Vec<ParticipantRow>,
    /// Coordinators: may the municipality nominate (approved, seats left, not over)?
    can_nominate: bool,
    approved: bool,
    completed: bool,
    staff: Vec<(String, String)>,
    programme_options: Vec<(&'static str, &'static str)>,
    form: NominationForm,
    form_key: String,
    errors: FieldErrors,
}

/// Builds the cohort page for `user`; the nomination form holds `form` and `errors`.
pub async fn cohort_view(
    tx: &mut TenantTx,
    user: &CurrentUser,
    page: Page,
    id: Uuid,
    form: NominationForm,
    errors: FieldErrors,
) -> AppResult<CohortView> {
    let t = page.t;
    let tm = &t.training;
    let national = user.has(Role::National);
    let cohort = existing(tx, id).await?;
    let modules = repo::modules(tx, id).await?;
    let dates: Vec<_> = modules.iter().map(repo::Module::dates).collect();
    let today = clock::today();
    let phase = Phase::of(&dates, today);
    let nominations = repo::nominations(tx, id).await?;
    let attendance = repo::attendance(tx, id).await?;
    let taken = repo::cohort_taken(tx, id).await?;
    let left: Option<SeatsLeft> = if national {
        None
    } else {
        seats_left(tx, &cohort).await?
    };
    let staff = if national || left.is_none() {
        Vec::new()
    } else {
        repo::candidates(tx, id, None).await?
    };
    let places = cohort.seats();
    let seats = Programme::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| places[*i] > 0)
        .map(|(i, p)| SeatRow {
            label: p.label(&t.apps),
            places: places[i],
            taken: taken[i],
            left: left
                .as_ref()
                .map(|l| l.of(*p).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let participants = nominations
        .iter()
        .map(|n| {
            let required: Vec<&repo::Module> = modules
                .iter()
                .filter(|m| m.programmes.contains(&n.programme))
                .collect();
            let attended = required
                .iter()
                .filter(|m| attendance.contains(&(m.id, n.id)))
                .count();
            ParticipantRow {
                id: n.id,
                name: n.name.clone(),
                municipality: n.municipality.clone(),
                programme: n.programme.label(&t.apps),
                progress: fill(
                    tm.modules_attended_of,
                    &[&attended.to_string(), &required.len().to_string()],
                ),
                trained_on: n.completed_on.map(clock::format_date).unwrap_or_default(),
                withdrawable: !national && n.completed_on.is_none() && attended == 0,
            }
        })
        .collect();
    let module_rows = modules
        .iter()
        .map(|m| ModuleRow {
            id: m.id,
            title: m.title.clone(),
            dates: format_span(m.starts_on, m.ends_on),
            place: m.place.clone(),
            programmes: programmes_label(&m.programmes, t),
            attended: m.attended,
            held: m.starts_on <= today,
        })
        .collect();
    let completed = phase == Phase::Completed;
    let approved = left.is_some();
    let can_nominate = !completed && left.as_ref().is_some_and(|l| l.total() > 0);
    let programme_options = Programme::ALL
        .iter()
        .filter(|p| left.as_ref().is_some_and(|l| l.of(**p) > 0))
        .map(|p| (p.code(), p.label(&t.apps)))
        .collect();
    Ok(CohortView {
        page: page
            .titled(cohort.name.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(tm.title, "/uddannelse")
            .crumb(cohort.name.clone(), format!("/uddannelse/hold/{id}")),
        id,
        national,
        round: cohort.round_title.clone().unwrap_or_default(),
        corps_until: clock::format_date(cohort.corps_until),
        name: cohort.name,
        phase: phase.label(tm),
        badge: phase.badge(),
        seats,
        modules: module_rows,
        participants,
        can_nominate,
        approved,
        completed,
        staff: staff
            .into_iter()
            .map(|s| {
                let roles = crate::vocab::roles_label(&s.roles, t);
                (s.user_id.to_string(), format!("{} ({roles})", s.name))
            })
            .collect(),
        programme_options,
        form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
        form,
        errors,
    })
}

pub async fn cohort_page(
    user: CurrentUser,
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let view = cohort_view(
        &mut tx,
        &user,
        page,
        id,
        NominationForm::default(),
        FieldErrors::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

// Modules (national).

#[derive(Template, WebTemplate)]
#[template(path = "training/module_form.html")]
struct ModuleFormView {
    page: Page,
    action: String,
    cancel: String,
    form: ModuleForm,
    errors: FieldErrors,
    form_key: String,
    programme_choices: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    is_event: bool,
}

impl ModuleFormView {
    fn for_cohort(
        page: Page,
        cohort: &repo::Cohort,
        form: ModuleForm,
        errors: FieldErrors,
    ) -> Self {
        let t = page.t;
        let tm = &t.training;
        let options: Vec<(&'static str, String)> = Programme::ALL
            .iter()
            .map(|p| (p.code(), p.label(&t.apps).to_string()))
            .collect();
        ModuleFormView {
            action: format!("/uddannelse/hold/{}/moduler", cohort.id),
            cancel: format!("/uddannelse/hold/{}", cohort.id),
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            programme_choices: choices(&options, &form.programmes),
            form,
            errors,
            kinds: Vec::new(),
            kind: String::new(),
            is_event: false,
            page: page
                .titled(tm.new_module)
                .crumb(t.common.nav_start, "/")
                .crumb(tm.title, "/uddannelse")
                .crumb(
                    cohort.name.clone(),
                    format!("/uddannelse/hold/{}", cohort.id),
                )
                .crumb(
                    tm.new_module,
                    format!("/uddannelse/hold/{}/moduler/ny", cohort.id),
                ),
        }
    }

    pub fn for_event(page: Page, kind: String, form: ModuleForm, errors: FieldErrors) -> Self {
        let t = page.t;
        let tm = &t.training;
        let options: Vec<(&'static str, String)> = super::model::MEMBER_PROGRAMMES
            .iter()
            .map(|p| (p.code(), p.label(&t.apps).to_string()))
            .collect();
        ModuleFormView {
            action: "/uddannelse/arrangementer".to_string(),
            cancel: "/uddannelse".to_string(),
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            programme_choices: choices(&options, &form.programmes),
            form,
            errors,
            kinds: super::model::EventKind::ALL
                .iter()
                .map(|k| (k.code(), k.label(tm)))
                .collect(),
            kind,
            is_event: true,
            page: page
                .titled(tm.new_event)
                .crumb(t.common.nav_start, "/")
                .crumb(tm.title, "/uddannelse")
                .crumb(tm.new_event, "/uddannelse/arrangementer/ny"),
        }
    }
}

pub(super) fn event_form_view(
    page: Page,
    kind: String,
    form: ModuleForm,
    errors: FieldErrors,
) -> impl IntoResponse {
    ModuleFormView::for_event(page, kind, form, errors)
}

pub async fn new_module_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let cohort = existing(&mut tx, id).await?;
    tx.commit().await?;
    Ok(
        ModuleFormView::for_cohort(page, &cohort, ModuleForm::default(), FieldErrors::default())
            .into_response(),
    )
}

pub async fn create_module(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<ModuleForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let cohort = existing(&mut tx, id).await?;
    let valid = match form.validate(&Programme::ALL, tm) {
        Ok(valid) => valid,
        Err(errors) => {
            let view = ModuleFormView::for_cohort(page, &cohort, form, errors);
            return Ok(forms::invalid(view));
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let module_id = repo::insert_module(&mut tx, id, &valid).await?;
    // A module added to a cohort whose participants had completed makes them incomplete.
    let completions = update_completions(&mut tx, id).await?;
    let location = format!("/uddannelse/hold/{id}");
    forms::complete(&mut tx, key, &location).await?;
    let done = Done::to(location).audit(
        Event::new("training_module_added")
            .subject("training_cohort", id)
            .details(json!({ "module_id": module_id, "programmes": valid.programmes })),
    );
    completions
        .logged(done)
        .said(tm.module_added)
        .finish(tx, addr, &session)
        .await
}

// Attendance (national).

pub struct AttendeeRow {
    pub id: Uuid,
    pub label: String,
    pub present: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "training/attendance.html")]
struct AttendanceView {
    page: Page,
    action: String,
    cancel: String,
    heading: String,
    details: String,
    attendees: Vec<AttendeeRow>,
    empty: &'static str,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AttendanceForm {
    #[serde(default)]
    pub present: Vec<Uuid>,
}

async fn module_of(
    tx: &mut TenantTx,
    cohort_id: Uuid,
    module_id: Uuid,
) -> AppResult<(repo::Cohort, Vec<repo::Module>, repo::Module)> {
    let cohort = existing(tx, cohort_id).await?;
    let modules = repo::modules(tx, cohort_id).await?;
    let module = modules
        .iter()
        .find(|m| m.id == module_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((cohort, modules, module))
}

pub async fn attendance_page(
    mut tx: TenantTx,
    page: Page,
    Path((id, module_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (cohort, _, module) = module_of(&mut tx, id, module_id).await?;
    if module.starts_on > clock::today() {
        tx.commit().await?;
        return Err(AppError::NotFound);
    }
    let nominations = repo::nominations(&mut tx, id).await?;
    let attendance = repo::attendance(&mut tx, id).await?;
    tx.commit().await?;
    let present: Vec<Uuid> = attendance
        .into_iter()
        .filter(|(attended, _)| *attended == module.id)
        .map(|(_, nomination)| nomination)
        .collect();
    Ok(attendance_view(page, &cohort, &module, &nominations, &present, None).into_response())
}

/// The attendance form of `module`: the cohort's participants of its programmes, ticked
/// where `present` has them, with `error` at the ticks.
fn attendance_view(
    page: Page,
    cohort: &repo::Cohort,
    module: &repo::Module,
    nominations: &[repo::Nomination],
    present: &[Uuid],
    error: Option<&'static str>,
) -> AttendanceView {
    let t = page.t;
    let tm = &t.training;
    let id = cohort.id;
    let attendees = nominations
        .iter()
        .filter(|n| module.programmes.contains(&n.programme))
        .map(|n| AttendeeRow {
            id: n.id,
            label: format!(
                "{} ({}, {})",
                n.name,
                n.municipality,
                n.programme.label(&t.apps)
            ),
            present: present.contains(&n.id),
        })
        .collect();
    let action = format!("/uddannelse/hold/{id}/moduler/{}", module.id);
    AttendanceView {
        page: page
            .titled(format!("{}: {}", tm.attendance, module.title))
            .crumb(t.common.nav_start, "/")
            .crumb(tm.title, "/uddannelse")
            .crumb(cohort.name.clone(), format!("/uddannelse/hold/{id}"))
            .crumb(module.title.clone(), action.clone()),
        cancel: format!("/uddannelse/hold/{id}"),
        action,
        heading: module.title.clone(),
        details: format!(
            "{} · {}{}",
            format_span(module.starts_on, module.ends_on),
            programmes_label(&module.programmes, t),
            if module.place.is_empty() {
                String::new()
            } else {
                format!(" · {}", module.place)
            }
        ),
        attendees,
        empty: tm.no_participants_for_module,
        error,
    }
}

pub async fn record_attendance(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path((id, module_id)): Path<(Uuid, Uuid)>,
    Form(form): Form<AttendanceForm>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    let (cohort, _, module) = module_of(&mut tx, id, module_id).await?;
    // Attendance is recorded for what has happened: a module ahead has no attendance yet,
    // and nobody becomes trained on a future date. The ticks are kept for when it has.
    if module.starts_on > clock::today() {
        let nominations = repo::nominations(&mut tx, id).await?;
        let error = Some(tm.attendance_not_yet);
        let view = attendance_view(page, &cohort, &module, &nominations, &form.present, error);
        return Ok(forms::invalid(view));
    }
    // Only the cohort's participants of the module's programmes can attend it.
    let allowed: Vec<Uuid> = repo::nominations(&mut tx, id)
        .await?
        .into_iter()
        .filter(|n| module.programmes.contains(&n.programme))
        .map(|n| n.id)
        .collect();
    let present: Vec<Uuid> = form
        .present
        .into_iter()
        .filter(|p| allowed.contains(p))
        .collect();
    let (added, removed) = repo::set_attendance(&mut tx, module_id, &present).await?;
    let completions = update_completions(&mut tx, id).await?;
    let message = if completions.trained > 0 {
        fill(
            tm.attendance_saved_trained,
            &[&completions.trained.to_string()],
        )
    } else {
        tm.attendance_saved.to_string()
    };
    let done = Done::to(format!("/uddannelse/hold/{id}")).audit(
        Event::new("training_attendance_recorded")
            .subject("training_module", module_id)
            .details(json!({
                "cohort_id": id, "present": present.len(), "added": added, "removed": removed
            })),
    );
    completions
        .logged(done)
        .said(message)
        .finish(tx, addr, &session)
        .await
}

/// What `update_completions` changed: how many completed now, and an audit entry per
/// change for the member's municipality's log.
struct Completions {
    trained: usize,
    entries: Vec<(Uuid, Event<'static>)>,
}

impl Completions {
    /// `done` with the entries: national staff's doing, in each member's municipality's
    /// log.
    fn logged(self, done: Done<'static>) -> Done<'static> {
        self.entries
            .into_iter()
            .fold(done, |done, (municipality, event)| {
                done.audit_in(Some(municipality), event)
            })
    }
}

/// Applies the completion rule to every participant of the cohort and writes what
/// changed (a member becomes trained, or a completion is taken back after a correction).
async fn update_completions(tx: &mut TenantTx, cohort_id: Uuid) -> AppResult<Completions> {
    let modules: Vec<_> = repo::modules(tx, cohort_id)
        .await?
        .iter()
        .map(repo::Module::dates)
        .collect();
    let attendance = repo::attendance(tx, cohort_id).await?;
    let mut trained = 0;
    let mut entries = Vec::new();
    for n in repo::nominations(tx, cohort_id).await? {
        let programme = n.programme;
        let attended: Vec<Uuid> = attendance
            .iter()
            .filter(|(_, nomination)| *nomination == n.id)
            .map(|(module, _)| *module)
            .collect();
        let completed_on = completion(&modules, programme, &attended);
        if completed_on == n.completed_on {
            continue;
        }
        repo::record_outcome(tx, n.id, completed_on).await?;
        let (action, subject) = match (completed_on, n.member_id) {
            (Some(_), Some(member)) => ("member_trained", ("corps_member", member)),
            (Some(_), None) => ("member_trained", ("user", n.user_id)),
            (None, Some(member)) => ("member_training_reverted", ("corps_member", member)),
            (None, None) => ("member_training_reverted", ("user", n.user_id)),
        };
        if completed_on.is_some() {
            trained += 1;
        }
        entries.push((
            n.municipality_id,
            Event::new(action)
                .subject(subject.0, subject.1)
                .details(json!({
                    "cohort_id": cohort_id, "nomination_id": n.id, "programme": n.programme,
                    "completed_on": completed_on.map(clock::format_date)
                })),
        ));
    }
    Ok(Completions { trained, entries })
}
