//! Coordinators apply: start an application to an open round, save it as a draft and come
//! back, attach the minutes (advisory rounds), add partner municipalities (a joint
//! application), and submit before the deadline. Partners confirm on their side. The
//! application page is read-only once submitted, and printable.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::{
    ApplicationForm, ApplicationState, MAX_FILE_BYTES, Programme, RoundKind, RoundState,
    attachment_header, clean_file_name, deadline_passed, format_deadline, missing_for_submission,
    sniff,
};
use super::views::{self, Commitment, DecisionView, ProgrammeRow, RoundSummary, Section};
use super::{load, repo};
use crate::audit::{self, Done, Event};
use crate::auth::CurrentUser;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Messages, fill};
use crate::vocab::Role;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, Claim, FieldErrors, Form, FormKey};

// ---------------------------------------------------------------------------------------
// The coordinator's list: open rounds and the municipality's applications

pub struct OpenRoundRow {
    pub id: Uuid,
    pub title: String,
    pub kind: &'static str,
    pub deadline: String,
    pub description: String,
    pub application_id: Option<Uuid>,
    pub application_state: &'static str,
}

pub struct OwnApplicationRow {
    pub id: Uuid,
    pub round: String,
    pub kind: &'static str,
    pub lead: String,
    pub is_lead: bool,
    pub awaiting_my_confirmation: bool,
    pub state: &'static str,
    pub badge: &'static str,
    pub decided: bool,
    pub reason: String,
    pub seats: String,
    pub start_on: String,
}

pub async fn open_round_rows(
    tx: &mut TenantTx,
    t: &'static Messages,
) -> AppResult<Vec<OpenRoundRow>> {
    let a = &t.apps;
    Ok(repo::open_rounds(tx)
        .await?
        .into_iter()
        .map(|open| OpenRoundRow {
            id: open.round.id,
            title: open.round.title.clone(),
            kind: open.round.kind.label(a),
            deadline: format_deadline(open.round.deadline, a),
            description: open.round.description.clone(),
            application_id: open.application_id,
            application_state: open.application_state.map_or("", |s| s.label(a)),
        })
        .collect())
}

pub async fn own_rows(
    tx: &mut TenantTx,
    t: &'static Messages,
) -> AppResult<Vec<OwnApplicationRow>> {
    let a = &t.apps;
    Ok(repo::list_own(tx)
        .await?
        .into_iter()
        .map(|row| {
            let state = row.state;
            let _ = row.deadline;
            OwnApplicationRow {
                id: row.id,
                round: row.round_title,
                kind: row.round_kind.label(a),
                lead: row.lead_name,
                is_lead: row.is_lead,
                awaiting_my_confirmation: row.partner_confirmed == Some(false)
                    && state == ApplicationState::AwaitingPartners,
                state: state.label(a),
                badge: state.badge(),
                decided: state.is_decided(),
                reason: if state.is_decided() {
                    row.decision_reason
                } else {
                    String::new()
                },
                seats: if state == ApplicationState::Approved {
                    Programme::ALL
                        .into_iter()
                        .filter_map(|p| row.seats.get(p).map(|n| format!("{}: {n}", p.label(a))))
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    String::new()
                },
                start_on: if state == ApplicationState::Accepted {
                    row.start_on.map(clock::format_date).unwrap_or_default()
                } else {
                    String::new()
                },
            }
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/own.html")]
struct OwnView {
    page: Page,
    open_rounds: Vec<OpenRoundRow>,
    applications: Vec<OwnApplicationRow>,
    form_key: String,
}

pub async fn own_list_page(mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let t = page.t;
    let a = &t.apps;
    let open_rounds = open_round_rows(&mut tx, t).await?;
    let applications = own_rows(&mut tx, t).await?;
    tx.commit().await?;
    Ok(OwnView {
        page: page
            .titled(a.own_title)
            .crumb(t.common.nav_start, "/")
            .crumb(a.own_title, "/ansoegninger"),
        open_rounds,
        applications,
        form_key: Uuid::new_v4().to_string(),
    }
    .into_response())
}

/// Starts the municipality's application to an open round (or opens the one it has).
pub async fn apply(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(round_id): Path<Uuid>,
    Form(form): Form<FormKey>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    if let Claim::Done(location) = forms::claim(&mut tx, form.form_key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let round = repo::get_round(&mut tx, round_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let municipality_id = tx.scope().municipality_id().ok_or(AppError::NotFound)?;
    // Not an input error: the form is one button, so there is nothing to keep.
    if round.state != RoundState::Open || deadline_passed(round.deadline, clock::now()) {
        return Done::to("/ansoegninger")
            .message(flash::Kind::Error, a.round_not_open)
            .finish(tx, addr, &session)
            .await;
    }
    let id = repo::create_application(&mut tx, round_id, municipality_id).await?;
    let location = format!("/ansoegninger/{id}/rediger");
    forms::complete(&mut tx, form.form_key, &location).await?;
    Done::to(location)
        .audit(Event::new("application_started").subject("application", id))
        .finish(tx, addr, &session)
        .await
}

// ---------------------------------------------------------------------------------------
// The application form

pub struct PartnerRow {
    pub municipality_id: Uuid,
    pub name: String,
    pub confirmed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/edit.html")]
struct EditView {
    page: Page,
    id: Uuid,
    round: RoundSummary,
    is_training: bool,
    deadline_passed: bool,
    errors: FieldErrors,
    version: i32,
    sections: Vec<Section>,
    programmes: Vec<ProgrammeRow>,
    commitments: Vec<Commitment>,
    file: Option<(String, String)>,
    partners: Vec<PartnerRow>,
    partner_options: Vec<(String, String)>,
    saved_as_draft: bool,
    conflict: Vec<crate::web::forms::Difference>,
    conflicted: bool,
    /// Submitted while this form was open: what was typed is shown, nothing can be saved.
    submitted_meanwhile: bool,
}

struct EditContext {
    application: repo::Application,
    round: repo::Round,
    file: Option<repo::FileMeta>,
    partners: Vec<repo::Partner>,
    others: Vec<(Uuid, String)>,
}

async fn edit_context(tx: &mut TenantTx, id: Uuid) -> AppResult<EditContext> {
    let (application, round) = load(tx, id).await?;
    // Only the applicant municipality writes its application; a partner reads it.
    if Some(application.municipality_id) != tx.scope().municipality_id() {
        return Err(AppError::Forbidden);
    }
    let file = repo::file_meta(tx, id).await?;
    let partners = repo::partners(tx, id).await?;
    let others = repo::other_municipalities(tx).await?;
    Ok(EditContext {
        application,
        round,
        file,
        partners,
        others,
    })
}

fn edit_view(
    page: Page,
    ctx: &EditContext,
    form: ApplicationForm,
    errors: FieldErrors,
    version: i32,
) -> EditView {
    let t = page.t;
    let a = &t.apps;
    let id = ctx.application.id;
    let kind = ctx.round.kind;
    let partners: Vec<PartnerRow> = ctx
        .partners
        .iter()
        .map(|p| PartnerRow {
            municipality_id: p.municipality_id,
            name: p.name.clone(),
            confirmed: p
                .confirmed_at
                .map(|at| clock::format_date(clock::to_danish(at).date()))
                .unwrap_or_default(),
        })
        .collect();
    EditView {
        id,
        round: RoundSummary::of(&ctx.round, a),
        is_training: kind == RoundKind::Training,
        deadline_passed: deadline_passed(ctx.round.deadline, clock::now())
            || ctx.round.state != RoundState::Open,
        sections: views::sections(kind, &form, &errors, a),
        programmes: views::programme_rows(&form, &errors, a),
        commitments: views::commitments(&form, ctx.round.corps_until, a),
        file: ctx.file.as_ref().map(|f| {
            (
                f.file_name.clone(),
                fill(
                    a.file_uploaded_on,
                    &[
                        &clock::format_date(clock::to_danish(f.uploaded_at).date()),
                        &format!("{:.1}", f64::from(f.size_bytes) / 1_048_576.0),
                    ],
                ),
            )
        }),
        partner_options: ctx
            .others
            .iter()
            .filter(|(other, _)| !partners.iter().any(|p| p.municipality_id == *other))
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect(),
        partners,
        errors,
        version,
        saved_as_draft: false,
        conflict: Vec::new(),
        conflicted: false,
        submitted_meanwhile: false,
        page: page
            .titled(a.edit_title)
            .crumb(t.common.nav_start, "/")
            .crumb(a.own_title, "/ansoegninger")
            .crumb(ctx.round.title.clone(), format!("/ansoegninger/{id}"))
            .crumb(a.edit_title, format!("/ansoegninger/{id}/rediger")),
    }
}

pub async fn edit_page(
    mut tx: TenantTx,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let ctx = edit_context(&mut tx, id).await?;
    tx.commit().await?;
    if ctx.application.state != ApplicationState::Draft {
        flash::push(&session, flash::Kind::Info, page.t.apps.read_only_now).await?;
        return Ok(Redirect::to(&format!("/ansoegninger/{id}")).into_response());
    }
    let form = ApplicationForm::of(&ctx.application.draft);
    let version = ctx.application.version;
    Ok(edit_view(page, &ctx, form, FieldErrors::default(), version).into_response())
}

struct Upload {
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads the multipart form: its text fields into the form, and the minutes file.
/// Too large a file is reported, not read on.
async fn read_form(mut multipart: Multipart) -> AppResult<(ApplicationForm, Option<Upload>, bool)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut upload = None;
    let mut too_large = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::Unprocessable)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "minutes" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| AppError::Unprocessable)? {
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_large {
                // Drain the rest of the part so that the following fields can be read.
                while let Ok(Some(_)) = field.chunk().await {}
                bytes.clear();
            }
            if !bytes.is_empty() {
                upload = Some(Upload { file_name, bytes });
            }
        } else if name != "csrf_token" {
            let value = field.text().await.map_err(|_| AppError::Unprocessable)?;
            pairs.push((name, value));
        }
    }
    let encoded = serde_urlencoded::to_string(&pairs).map_err(|_| AppError::Unprocessable)?;
    let form: ApplicationForm =
        serde_html_form::from_str(&encoded).map_err(|_| AppError::Unprocessable)?;
    Ok((form, upload, too_large))
}

/// Saves the draft (and the minutes file); with `action=submit` also submits it, if the
/// deadline has not passed and everything the guide asks for is there.
pub async fn save(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let t = page.t;
    let a = &t.apps;
    let ctx = edit_context(&mut tx, id).await?;
    let (form, upload, too_large) = read_form(multipart).await?;
    let kind = ctx.round.kind;
    let version = form.version.unwrap_or_default();
    if ctx.application.state != ApplicationState::Draft {
        // Submitted in another tab or by a colleague: keep what this user typed.
        let mut view = edit_view(page, &ctx, form, FieldErrors::default(), version);
        view.submitted_meanwhile = true;
        return Ok(forms::stale(view));
    }
    let mut draft = match form.parse(kind, a) {
        Ok(draft) => Some(draft),
        Err(errors) => return Ok(forms::invalid(edit_view(page, &ctx, form, errors, version))),
    };
    let mut file_kind = None;
    if kind == RoundKind::Advisory {
        if too_large {
            let mut errors = FieldErrors::default();
            errors.add("minutes", a.file_too_large);
            let view = edit_view(page, &ctx, form, errors, version);
            return Ok((StatusCode::PAYLOAD_TOO_LARGE, view).into_response());
        }
        if let Some(upload) = &upload {
            file_kind = sniff(&upload.bytes);
            if file_kind.is_none() {
                let mut errors = FieldErrors::default();
                errors.add("minutes", a.file_type_invalid);
                let view = edit_view(page, &ctx, form, errors, version);
                return Ok(forms::invalid(view));
            }
        }
    }
    let Some(draft) = draft.take() else {
        return Err(AppError::Unprocessable);
    };
    if !repo::save_draft(&mut tx, id, &draft, version).await? {
        // Someone saved in between: keep what this user typed, show what is saved.
        let theirs = ApplicationForm::of(&ctx.application.draft);
        let conflict = views::differences(kind, &form, &theirs, ctx.round.corps_until, t);
        let mut view = edit_view(
            page,
            &ctx,
            form,
            FieldErrors::default(),
            ctx.application.version,
        );
        view.conflict = conflict;
        view.conflicted = true;
        return Ok(forms::stale(view));
    }
    let mut fields_saved = vec!["answers"];
    if let (Some(upload), Some(file_kind)) = (&upload, file_kind) {
        let name = clean_file_name(&upload.file_name);
        let content_type = file_kind.content_type(&name);
        repo::put_file(
            &mut tx,
            id,
            ctx.application.municipality_id,
            &name,
            content_type,
            &upload.bytes,
        )
        .await?;
        fields_saved.push("minutes");
    }
    let saved_event = Event::new("application_saved")
        .subject("application", id)
        .details(json!({ "saved": fields_saved }));
    if !form.submitting() {
        return Done::to(format!("/ansoegninger/{id}/rediger"))
            .audit(saved_event)
            .said(a.draft_saved)
            .finish(tx, addr, &session)
            .await;
    }
    audit::record(&mut tx, addr, saved_event).await?;
    // Submitting: the server decides, in Danish time, whether the deadline has passed.
    let saved = edit_context(&mut tx, id).await?;
    let mut errors = FieldErrors::default();
    if saved.round.state != RoundState::Open || deadline_passed(saved.round.deadline, clock::now())
    {
        errors.add(
            "submit",
            fill(
                a.deadline_passed,
                &[&format_deadline(saved.round.deadline, a)],
            ),
        );
    } else {
        let ticked: Vec<Programme> = Programme::ALL
            .into_iter()
            .filter(|p| form.ticked(*p))
            .collect();
        errors = missing_for_submission(kind, &draft, &ticked, saved.file.is_some(), a);
    }
    if !errors.is_empty() {
        // The draft is saved; what is missing is shown next to each field.
        tx.commit().await?;
        let version = saved.application.version;
        let mut view = edit_view(page, &saved, form, errors, version);
        view.saved_as_draft = true;
        return Ok(forms::invalid(view));
    }
    let waiting = saved.partners.iter().any(|p| p.confirmed_at.is_none());
    let state = if waiting {
        ApplicationState::AwaitingPartners
    } else {
        ApplicationState::Submitted
    };
    repo::submit(&mut tx, id, state).await?;
    let message = if waiting {
        a.submitted_awaiting_partners
    } else {
        a.submitted_message
    };
    Done::to(format!("/ansoegninger/{id}"))
        .audit(
            Event::new("application_submitted")
                .subject("application", id)
                .details(json!({ "state": state.code() })),
        )
        .said(message)
        .finish(tx, addr, &session)
        .await
}

// ---------------------------------------------------------------------------------------
// Partners of a joint application

#[derive(Debug, Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    municipality_id: String,
}

pub async fn add_partner(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let ctx = edit_context(&mut tx, id).await?;
    if ctx.application.state != ApplicationState::Draft || ctx.round.kind != RoundKind::Training {
        return Err(AppError::Conflict);
    }
    let chosen = Uuid::parse_str(form.municipality_id.trim())
        .ok()
        .filter(|m| ctx.others.iter().any(|(other, _)| other == m));
    let Some(partner) = chosen else {
        let mut errors = FieldErrors::default();
        errors.add("municipality_id", a.choose_partner);
        let form = ApplicationForm::of(&ctx.application.draft);
        let version = ctx.application.version;
        let view = edit_view(page, &ctx, form, errors, version);
        return Ok(forms::invalid(view));
    };
    repo::add_partner(&mut tx, id, partner, ctx.application.municipality_id).await?;
    partners_changed(id, "application_partner_added", partner)
        .said(a.partner_added)
        .finish(tx, addr, &session)
        .await
}

/// Back to the application's partners, with the entry (`action`) naming the `partner`.
fn partners_changed(id: Uuid, action: &'static str, partner: Uuid) -> Done<'static> {
    Done::to(format!("/ansoegninger/{id}/rediger#partnere")).audit(
        Event::new(action)
            .subject("application", id)
            .details(json!({ "municipality_id": partner })),
    )
}

pub async fn remove_partner(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let ctx = edit_context(&mut tx, id).await?;
    if ctx.application.state != ApplicationState::Draft {
        return Err(AppError::Conflict);
    }
    let partner = Uuid::parse_str(form.municipality_id.trim()).map_err(|_| AppError::NotFound)?;
    if !repo::remove_partner(&mut tx, id, partner).await? {
        return Err(AppError::NotFound);
    }
    partners_changed(id, "application_partner_removed", partner)
        .said(a.partner_removed)
        .finish(tx, addr, &session)
        .await
}

/// A partner municipality's coordinator confirms the commitments of the joint application.
pub async fn confirm(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let (application, round) = load(&mut tx, id).await?;
    let own = tx.scope().municipality_id();
    let partners = repo::partners(&mut tx, id).await?;
    let Some(mine) = partners.iter().find(|p| Some(p.municipality_id) == own) else {
        return Err(AppError::NotFound);
    };
    if mine.confirmed_at.is_some() || application.state != ApplicationState::AwaitingPartners {
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/ansoegninger/{id}")).into_response());
    }
    // Not an input error: the form is one button, so there is nothing to keep.
    let done = Done::to(format!("/ansoegninger/{id}"));
    if round.state != RoundState::Open || deadline_passed(round.deadline, clock::now()) {
        let message = fill(a.deadline_passed, &[&format_deadline(round.deadline, a)]);
        return done
            .message(flash::Kind::Error, message)
            .finish(tx, addr, &session)
            .await;
    }
    let state = repo::confirm_partner(&mut tx, id).await?;
    done.audit(
        Event::new("application_partner_confirmed")
            .subject("application", id)
            .details(json!({ "state": state })),
    )
    .said(a.partner_confirmed_message)
    .finish(tx, addr, &session)
    .await
}

// ---------------------------------------------------------------------------------------
// The read-only, printable application

#[derive(Template, WebTemplate)]
#[template(path = "applications/show.html")]
struct ShowView {
    page: Page,
    id: Uuid,
    round: RoundSummary,
    municipality: String,
    region: &'static str,
    state: &'static str,
    badge: &'static str,
    submitted_on: String,
    is_national: bool,
    is_lead: bool,
    can_edit: bool,
    can_confirm: bool,
    sections: Vec<Section>,
    programmes: Vec<ProgrammeRow>,
    commitments: Vec<Commitment>,
    file: Option<(String, String)>,
    partners: Vec<PartnerRow>,
    decision: Option<DecisionView>,
    today: String,
}

pub async fn show_page(
    user: CurrentUser,
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let t = page.t;
    let a = &t.apps;
    let (application, round) = load(&mut tx, id).await?;
    let is_national = user.has(Role::National);
    // National staff see applications once they are sent, never a municipality's draft.
    if is_national && application.state == ApplicationState::Draft {
        return Err(AppError::NotFound);
    }
    let own = tx.scope().municipality_id();
    let is_lead = own == Some(application.municipality_id);
    let partners = repo::partners(&mut tx, id).await?;
    let file = if is_lead || is_national {
        repo::file_meta(&mut tx, id).await?
    } else {
        None
    };
    tx.commit().await?;
    let can_confirm = !is_lead
        && application.state == ApplicationState::AwaitingPartners
        && partners
            .iter()
            .any(|p| Some(p.municipality_id) == own && p.confirmed_at.is_none());
    let form = ApplicationForm::of(&application.draft);
    let none = FieldErrors::default();
    Ok(ShowView {
        id,
        round: RoundSummary::of(&round, a),
        municipality: application.municipality_name.clone(),
        region: t.region_label(&application.region),
        state: application.state.label(a),
        badge: application.state.badge(),
        submitted_on: application
            .submitted_at
            .map(|at| clock::format_date(clock::to_danish(at).date()))
            .unwrap_or_default(),
        is_national,
        is_lead,
        can_edit: is_lead && application.state == ApplicationState::Draft,
        can_confirm,
        sections: views::sections(round.kind, &form, &none, a),
        programmes: views::programme_rows(&form, &none, a),
        commitments: views::commitments(&form, round.corps_until, a),
        file: file.map(|f| {
            (
                f.file_name,
                fill(
                    a.file_uploaded_on,
                    &[
                        &clock::format_date(clock::to_danish(f.uploaded_at).date()),
                        &format!("{:.1}", f64::from(f.size_bytes) / 1_048_576.0),
                    ],
                ),
            )
        }),
        partners: partners
            .into_iter()
            .map(|p| PartnerRow {
                municipality_id: p.municipality_id,
                name: p.name,
                confirmed: p
                    .confirmed_at
                    .map(|at| clock::format_date(clock::to_danish(at).date()))
                    .unwrap_or_default(),
            })
            .collect(),
        decision: views::decision_view(&application, t),
        today: clock::format_date(clock::today()),
        page: {
            let page = page.titled(fill(
                a.application_of,
                &[&application.municipality_name, &round.title],
            ));
            let page = page.crumb(t.common.nav_start, "/");
            let page = if is_national {
                page.crumb(a.rounds_title, "/ansoegningsrunder").crumb(
                    round.title.clone(),
                    format!("/ansoegningsrunder/{}", round.id),
                )
            } else {
                page.crumb(a.own_title, "/ansoegninger")
            };
            page.crumb(
                application.municipality_name.clone(),
                format!("/ansoegninger/{id}"),
            )
        },
    }
    .into_response())
}

/// The minutes file, to the applicant municipality's coordinators and national staff only,
/// always as a download and never sniffed into something the browser would run.
pub async fn download(
    mut tx: TenantTx,
    addr: ClientAddr,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (application, _) = load(&mut tx, id).await?;
    let national = tx.scope().municipality_id().is_none();
    if !national && tx.scope().municipality_id() != Some(application.municipality_id) {
        return Err(AppError::NotFound);
    }
    if national && application.state == ApplicationState::Draft {
        return Err(AppError::NotFound);
    }
    let file = repo::file(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        &mut tx,
        addr,
        Event::new("application_file_downloaded").subject("application", id),
    )
    .await?;
    tx.commit().await?;
    let disposition = HeaderValue::from_str(&attachment_header(&file.file_name))
        .map_err(|_| AppError::Internal("file name header".into()))?;
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        file.content,
    )
        .into_response())
}
