//! Matching a waiting course with a mentor or parent coach: ranked, explained candidates —
//! own municipality first, then the whole corps (which needs a loan). Hard filters: right
//! kind, active, trained, free capacity, no recorded conflict. Choosing anyone but the
//! top candidate needs a reason, which is kept.

pub mod model;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event, Reads};
use crate::auth::CurrentUser;
use crate::citizens::PURPOSE_CASEWORK;
use crate::courses::{self, repo as courses_repo};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::{Messages, fill};
use crate::vocab::CourseState;
use crate::web::Page;
use crate::web::forms::{FieldErrors, Form};
use crate::web::routes::{COORDINATOR, Route};
use crate::{clock, vocab};
use model::{Reason, has_free_capacity, score};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/forloeb/{id}/match", COORDINATOR, candidates_page),
        Route::post("/forloeb/{id}/match", COORDINATOR, assign),
    ]
}

pub struct Ranked {
    pub member_id: Uuid,
    pub name: String,
    pub municipality: String,
    pub needs_loan: bool,
    pub score: i32,
    pub reasons: Vec<Reason>,
    pub load: i64,
    pub capacity: i16,
}

/// The candidates for a course, best first: own municipality, then the rest of the corps.
pub async fn ranked(
    tx: &mut TenantTx,
    course: &courses_repo::Course,
    t: &'static Messages,
) -> AppResult<Vec<Ranked>> {
    let needs = repo::needs(tx, course.id).await?;
    let conflicts = repo::conflicts(tx, course.id).await?;
    let own = tx.scope().municipality_id();
    let this_year = clock::this_year();
    let label = |code: &str| vocab::label(t, code);
    let mut ranked: Vec<Ranked> = repo::candidates(tx, course.kind)
        .await?
        .into_iter()
        .filter(|c| !conflicts.contains(&c.member_id) && has_free_capacity(&c.offer))
        .map(|c| {
            let scored = score(&needs, &c.offer, this_year, t, &label);
            Ranked {
                needs_loan: Some(c.municipality_id) != own,
                member_id: c.member_id,
                name: c.name,
                municipality: c.municipality_name,
                score: scored.total,
                reasons: scored.reasons,
                load: c.offer.load,
                capacity: c.offer.capacity,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.needs_loan
            .cmp(&b.needs_loan)
            .then(b.score.cmp(&a.score))
            .then(a.name.cmp(&b.name))
    });
    Ok(ranked)
}

#[derive(Template, WebTemplate)]
#[template(path = "matching/candidates.html")]
struct CandidatesView {
    page: Page,
    course_id: Uuid,
    name: String,
    own: Vec<Ranked>,
    corps: Vec<Ranked>,
    chosen: String,
    reason: String,
    errors: FieldErrors,
    needs: Vec<String>,
}

/// The matching form as the user left it: the member chosen, the reason, the messages.
#[derive(Default)]
struct Entered {
    chosen: String,
    reason: String,
    errors: FieldErrors,
}

/// The candidates page; logs a read of the course's citizens.
async fn view(
    tx: &mut TenantTx,
    reads: &Reads,
    user: &CurrentUser,
    page: Page,
    id: Uuid,
    entered: Entered,
) -> AppResult<CandidatesView> {
    let Entered {
        chosen,
        reason,
        errors,
    } = entered;
    let t = page.t;
    let (course, _) = courses::visible_course(tx, user, id).await?;
    if course.state != CourseState::Referred {
        return Err(AppError::Conflict);
    }
    let participants = courses_repo::participants(tx, id).await?;
    reads.citizens(
        tx,
        Event::new("matching_read")
            .course(id, course.municipality_id)
            .purpose(PURPOSE_CASEWORK),
        participants.iter().map(|p| p.id),
    );
    let name = courses::display_name(t, &course, &participants);
    let needs = repo::needs(tx, id).await?;
    let (own, corps): (Vec<Ranked>, Vec<Ranked>) = ranked(tx, &course, t)
        .await?
        .into_iter()
        .partition(|r| !r.needs_loan);
    let chosen = if chosen.is_empty() {
        own.first()
            .map(|r| r.member_id.to_string())
            .unwrap_or_default()
    } else {
        chosen
    };
    let mut summary = Vec::new();
    let label = |code: &Option<String>| code.as_deref().map(|c| vocab::label(t, c));
    if let Some(gender) = label(&needs.preferred_gender) {
        summary.push(format!("{}: {gender}", t.common.preferred_gender));
    }
    if let Some(band) = label(&needs.preferred_age_band) {
        summary.push(format!("{}: {band}", t.common.preferred_age_band));
    }
    if let Some(language) = label(&needs.preferred_language) {
        summary.push(format!("{}: {language}", t.common.preferred_language));
    }
    if needs.needs_religion_politics {
        summary.push(t.common.needs_religion_politics.to_string());
    }
    for experience in &needs.needed_experience {
        summary.push(fill(
            t.matching.match_needs_experience,
            &[&vocab::label(t, experience)],
        ));
    }
    Ok(CandidatesView {
        course_id: id,
        own,
        corps,
        chosen,
        reason,
        errors,
        needs: summary,
        page: page
            .titled(t.matching.matching_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.common.courses_title, "/forloeb")
            .crumb(name.clone(), format!("/forloeb/{id}"))
            .crumb(t.matching.matching_title, format!("/forloeb/{id}/match")),
        name,
    })
}

pub async fn candidates_page(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let view = view(&mut tx, &reads, &user, page, id, Entered::default()).await?;
    Ok(view.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    member_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn assign(
    user: CurrentUser,
    mut tx: TenantTx,
    reads: Reads,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<AssignForm>,
) -> AppResult<Response> {
    let addr = reads.addr();
    let t = page.t;
    let (course, _) = courses::visible_course(&mut tx, &user, id).await?;
    if course.state != CourseState::Referred {
        // A second click on the same choice finds its work done.
        let same = form
            .member_id
            .parse::<Uuid>()
            .ok()
            .is_some_and(|m| course.member_id == Some(m));
        if same {
            return Ok(Redirect::to(&format!("/forloeb/{id}")).into_response());
        }
        return Err(AppError::Conflict);
    }
    let ranked = ranked(&mut tx, &course, t).await?;
    let own: Vec<&Ranked> = ranked.iter().filter(|r| !r.needs_loan).collect();
    let chosen = form
        .member_id
        .parse::<Uuid>()
        .ok()
        .and_then(|id| own.iter().position(|r| r.member_id == id));
    let reason = form.reason.trim().to_string();
    let mut errors = FieldErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match chosen {
        None => {
            // A member of the municipality who is no longer a candidate was just filled
            // up by someone else (or excluded): say so rather than "choose someone".
            let gone = match form.member_id.parse::<Uuid>() {
                Ok(member) => crate::corps::repo::get(&mut tx, Some(member), None).await?,
                Err(_) => None,
            };
            match gone {
                Some(member) => {
                    errors.add(
                        "member_id",
                        fill(t.matching.candidate_full, &[&member.name]),
                    );
                    status = StatusCode::CONFLICT;
                }
                None => errors.add("member_id", t.matching.choose_candidate),
            }
        }
        Some(rank) if rank > 0 && reason.is_empty() => {
            errors.add("reason", t.matching.override_reason_required)
        }
        Some(_) => {}
    }
    let Some(rank) = chosen.filter(|_| errors.is_empty()) else {
        let entered = Entered {
            chosen: form.member_id,
            reason,
            errors,
        };
        let view = view(&mut tx, &reads, &user, page, id, entered).await?;
        return Ok((status, view).into_response());
    };
    let candidate = own[rank];
    let override_reason = if rank == 0 { "" } else { reason.as_str() };
    match repo::assign(
        &mut tx,
        id,
        candidate.member_id,
        override_reason,
        clock::today(),
    )
    .await?
    {
        repo::Assigned::Done => {}
        repo::Assigned::Full => {
            let mut errors = FieldErrors::default();
            errors.add(
                "member_id",
                fill(t.matching.candidate_full, &[&candidate.name]),
            );
            // Nothing was written; show who is free now.
            let entered = Entered {
                chosen: String::new(),
                reason,
                errors,
            };
            let view = view(&mut tx, &reads, &user, page, id, entered).await?;
            return Ok(crate::web::forms::stale(view));
        }
        repo::Assigned::Gone => return Err(AppError::Conflict),
    }
    let note = if rank == 0 {
        String::new()
    } else {
        reason.clone()
    };
    courses_repo::event(
        &mut tx,
        id,
        crate::vocab::CourseEventKind::Matched,
        Some(CourseState::Referred),
        Some(CourseState::Matched),
        &note,
    )
    .await?;
    crate::courses::notify::assigned(&mut tx, id, candidate.member_id).await?;
    Done::to(format!("/forloeb/{id}"))
        .audit(
            Event::new("course_matched")
                .course(id, course.municipality_id)
                .purpose(PURPOSE_CASEWORK)
                .details(json!({ "member": candidate.member_id, "rank": rank + 1 })),
        )
        .said(fill(t.matching.course_matched, &[&candidate.name]))
        .finish(tx, addr, &session)
        .await
}
