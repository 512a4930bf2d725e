//! Coordinators nominate their staff to a cohort within the seats their approved
//! application gives (shared with the partners of a joint application), and withdraw them.

use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::cohorts::{NominationForm, cohort_view};
use super::model::{Phase, Programme, SeatRefusal, may_nominate};
use super::{programme_index, repo};
use crate::audit::{Done, Event};
use crate::auth::CurrentUser;
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::fill;
use crate::vocab::Role;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};

/// The role a programme trains: mentors for the mentor programme, and so on.
fn role_for(programme: Programme) -> Role {
    match programme {
        Programme::Mentor => Role::Mentor,
        Programme::ParentCoach => Role::ParentCoach,
        Programme::Coordinator => Role::Coordinator,
    }
}

pub async fn nominate(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<NominationForm>,
) -> AppResult<Response> {
    let t = page.t;
    let tm = &t.training;
    let cohort = repo::get_cohort(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    let mut errors = FieldErrors::default();
    let programme = Programme::from_code(&form.programme);
    if programme.is_none() {
        errors.add("programme", tm.choose_programme);
    }
    let candidate = match form.user_id.trim() {
        "" => {
            errors.add("user_id", tm.choose_participant);
            None
        }
        text => {
            // Someone not on the municipality's staff (another municipality's account)
            // is not found: 404, as for any id the user may not see.
            let user_id = Uuid::parse_str(text).map_err(|_| AppError::NotFound)?;
            match repo::candidates(&mut tx, id, Some(user_id)).await?.pop() {
                Some(candidate) => Some(candidate),
                None => {
                    if !repo::on_staff(&mut tx, user_id).await? {
                        return Err(AppError::NotFound);
                    }
                    errors.add("user_id", tm.already_nominated_or_no_role);
                    None
                }
            }
        }
    };
    if let (Some(candidate), Some(programme)) = (&candidate, programme) {
        if !candidate.roles.contains(&role_for(programme)) {
            errors.add(
                "programme",
                fill(
                    tm.lacks_role,
                    &[&candidate.name, role_for(programme).label(t)],
                ),
            );
        }
    }
    // The seats: the round's approved application, shared with partners; both counts
    // under a lock so that two nominations at once cannot both take the last seat.
    let mut nomination = None;
    if let (true, Some(candidate), Some(programme)) = (errors.is_empty(), candidate, programme) {
        if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
            return Ok(Redirect::to(&location).into_response());
        }
        let Some(round_id) = cohort.round_id else {
            return Err(AppError::Forbidden);
        };
        let Some(pool) = repo::seat_pool(&mut tx, round_id).await? else {
            errors.add("programme", tm.not_approved);
            return refuse(tx, &user, page, id, form, errors).await;
        };
        repo::lock_seats(&mut tx, pool.application_id).await?;
        repo::lock_seats(&mut tx, id).await?;
        let modules: Vec<_> = repo::modules(&mut tx, id)
            .await?
            .iter()
            .map(repo::Module::dates)
            .collect();
        if Phase::of(&modules, clock::today()) == Phase::Completed {
            errors.add("programme", tm.cohort_over);
            return refuse(tx, &user, page, id, form, errors).await;
        }
        // Counted again after the lock: a nomination committed meanwhile is seen now.
        let pool = repo::seat_pool(&mut tx, round_id)
            .await?
            .ok_or(AppError::Conflict)?;
        let taken = repo::cohort_taken(&mut tx, id).await?;
        let i = programme_index(programme);
        let label = programme.label(&t.apps).to_lowercase();
        match may_nominate(
            (pool.granted[i], pool.used[i]),
            (cohort.seats()[i].into(), taken[i]),
        ) {
            Ok(()) => {}
            Err(SeatRefusal::MunicipalityFull) => {
                errors.add(
                    "programme",
                    fill(tm.no_seats_left, &[&label, &pool.granted[i].to_string()]),
                );
                return refuse(tx, &user, page, id, form, errors).await;
            }
            Err(SeatRefusal::CohortFull) => {
                errors.add("programme", fill(tm.cohort_full, &[&label]));
                return refuse(tx, &user, page, id, form, errors).await;
            }
        }
        let nomination_id = repo::insert_nomination(&mut tx, id, &candidate, programme).await?;
        if let Some(member_id) = candidate.member_id {
            if programme != Programme::Coordinator {
                repo::mark_in_training(&mut tx, member_id).await?;
            }
        }
        let event = Event::new("training_nominated")
            .subject("training_nomination", nomination_id)
            .details(json!({
                "cohort_id": id, "user_id": candidate.user_id, "programme": programme.code()
            }));
        nomination = Some((candidate.name, event));
    }
    let Some((name, event)) = nomination else {
        return refuse(tx, &user, page, id, form, errors).await;
    };
    let location = format!("/uddannelse/hold/{id}");
    forms::complete(&mut tx, key, &location).await?;
    Done::to(location)
        .audit(event)
        .said(fill(tm.nominated, &[&name]))
        .finish(tx, addr, &session)
        .await
}

/// The cohort page again with the form's messages (422). Nothing was written: the
/// transaction (with its claimed form key) is rolled back, so the same form may be sent
/// again.
async fn refuse(
    mut tx: TenantTx,
    user: &CurrentUser,
    page: Page,
    id: Uuid,
    form: NominationForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let view = cohort_view(&mut tx, user, page, id, form, errors).await?;
    drop(tx);
    Ok(forms::invalid(view))
}

pub async fn withdraw(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let tm = &page.t.training;
    // Another municipality's nomination is invisible here (RLS): 404.
    let nomination = repo::get_nomination(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attended = repo::attendance(&mut tx, nomination.cohort_id)
        .await?
        .iter()
        .any(|(_, n)| *n == id);
    if nomination.completed_on.is_some() || attended {
        return Err(AppError::Conflict);
    }
    repo::withdraw_nomination(&mut tx, &nomination).await?;
    Done::to(format!("/uddannelse/hold/{}", nomination.cohort_id))
        .audit(
            Event::new("training_nomination_withdrawn")
                .subject("training_nomination", id)
                .details(
                    json!({ "cohort_id": nomination.cohort_id, "programme": nomination.programme }),
                ),
        )
        .said(fill(tm.withdrawn, &[&nomination.name]))
        .finish(tx, addr, &session)
        .await
}
