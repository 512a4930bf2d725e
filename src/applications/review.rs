//! National staff review an application: a 1–5 score and a note per criterion of the
//! guide, saved with a version so that two reviewers never overwrite each other silently;
//! and decide — approved with seats per programme or rejected (training), accepted with a
//! start, deferred or rejected (advisory) — never beyond the advisory round's capacity.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::{
    ApplicationState, DecisionForm, Programme, RoundKind, Scores, parse_scores, score_total,
    seats_field, within_capacity,
};
use super::views::RoundSummary;
use super::{load, repo};
use crate::audit::{Done, Event};
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::fill;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, FieldErrors, Form};

pub struct CriterionRow {
    pub code: &'static str,
    pub label: &'static str,
    pub note_name: String,
    pub score: String,
    pub note: String,
    pub score_error: Option<String>,
    pub note_error: Option<String>,
    /// The saved score and note when someone else saved in between (409).
    pub theirs: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/review.html")]
struct ReviewView {
    page: Page,
    id: Uuid,
    round: RoundSummary,
    state: &'static str,
    criteria: Vec<CriterionRow>,
    errors: FieldErrors,
    version: i32,
    saved_by: String,
    conflict: bool,
    minimum: Vec<(&'static str, bool)>,
    scores: Vec<&'static str>,
}

fn score_text(score: Option<i16>) -> String {
    score.map(|s| s.to_string()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn review_view(
    page: Page,
    application: &repo::Application,
    round: &repo::Round,
    mine: &Scores,
    errors: FieldErrors,
    version: i32,
    saved: Option<&repo::Review>,
    conflict: bool,
    has_minutes: bool,
) -> ReviewView {
    let t = page.t;
    let a = &t.apps;
    let id = application.id;
    let criteria = round
        .kind
        .criteria(a)
        .iter()
        .map(|(code, label)| {
            let mine = mine.get(*code).cloned().unwrap_or_default();
            let theirs = saved
                .filter(|_| conflict)
                .map(|review| review.scores.get(*code).cloned().unwrap_or_default());
            CriterionRow {
                code,
                label,
                note_name: format!("note_{code}"),
                score: score_text(mine.score),
                note: mine.note,
                score_error: errors.get(&format!("score_{code}")).map(str::to_string),
                note_error: errors.get(&format!("note_{code}")).map(str::to_string),
                theirs: theirs.map(|s| (score_text(s.score), s.note)),
            }
        })
        .collect();
    let minimum = if round.kind == RoundKind::Advisory {
        vec![
            (a.minimum_minutes, has_minutes),
            (
                a.minimum_signature,
                !application.draft.signatory_name.is_empty()
                    && application.draft.signed_on.is_some(),
            ),
        ]
    } else {
        vec![(
            a.minimum_commitments,
            application.draft.commit_lend
                && application.draft.commit_method
                && application.draft.commit_corps,
        )]
    };
    ReviewView {
        id,
        round: RoundSummary::of(round, a),
        state: application.state.label(a),
        criteria,
        errors,
        version,
        saved_by: saved
            .and_then(|review| {
                let by = review.updated_by.clone()?;
                let at = clock::to_danish(review.updated_at);
                Some(fill(
                    a.saved_by,
                    &[
                        &by,
                        &clock::format_date(at.date()),
                        &format!("{:02}:{:02}", at.hour(), at.minute()),
                    ],
                ))
            })
            .unwrap_or_default(),
        conflict,
        minimum,
        scores: vec!["1", "2", "3", "4", "5"],
        page: page
            .titled(fill(a.review_title, &[&application.municipality_name]))
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder")
            .crumb(
                round.title.clone(),
                format!("/ansoegningsrunder/{}", round.id),
            )
            .crumb(
                application.municipality_name.clone(),
                format!("/ansoegninger/{id}"),
            )
            .crumb(a.review, format!("/ansoegninger/{id}/vurdering")),
    }
}

async fn reviewable(tx: &mut TenantTx, id: Uuid) -> AppResult<(repo::Application, repo::Round)> {
    let (application, round) = load(tx, id).await?;
    if !application.state.counts_as_submitted() {
        return Err(AppError::NotFound);
    }
    Ok((application, round))
}

pub async fn review_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (application, round) = reviewable(&mut tx, id).await?;
    let review = repo::review(&mut tx, id).await?;
    let has_minutes = repo::file_meta(&mut tx, id).await?.is_some();
    tx.commit().await?;
    let scores = review
        .as_ref()
        .map(|r| r.scores.clone())
        .unwrap_or_default();
    let version = review.as_ref().map_or(0, |r| r.version);
    Ok(review_view(
        page,
        &application,
        &round,
        &scores,
        FieldErrors::default(),
        version,
        review.as_ref(),
        false,
        has_minutes,
    )
    .into_response())
}

pub async fn save_review(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let (application, round) = reviewable(&mut tx, id).await?;
    let has_minutes = repo::file_meta(&mut tx, id).await?.is_some();
    let version: i32 = fields
        .iter()
        .find(|(key, _)| key == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or_default();
    let (scores, errors) = parse_scores(round.kind, &fields, a);
    if !errors.is_empty() {
        let saved = repo::review(&mut tx, id).await?;
        let view = review_view(
            page,
            &application,
            &round,
            &scores,
            errors,
            version,
            saved.as_ref(),
            false,
            has_minutes,
        );
        return Ok(forms::invalid(view));
    }
    let (total, scored) = score_total(&scores);
    if !repo::save_review(&mut tx, id, &scores, total, scored, version).await? {
        // Another reviewer saved first: both versions side by side, this user's kept.
        let saved = repo::review(&mut tx, id).await?;
        let current = saved.as_ref().map_or(0, |r| r.version);
        let view = review_view(
            page,
            &application,
            &round,
            &scores,
            FieldErrors::default(),
            current,
            saved.as_ref(),
            true,
            has_minutes,
        );
        return Ok(forms::stale(view));
    }
    Done::to(format!("/ansoegninger/{id}/vurdering"))
        .audit(
            Event::new("application_scored")
                .subject("application", id)
                .details(json!({ "scored": scored })),
        )
        .said(a.review_saved)
        .finish(tx, addr, &session)
        .await
}

pub struct SeatRow {
    pub field: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/decision.html")]
struct DecisionPageView {
    page: Page,
    id: Uuid,
    round: RoundSummary,
    state: &'static str,
    outcomes: Vec<(&'static str, &'static str)>,
    form: DecisionForm,
    errors: FieldErrors,
    seats: Vec<SeatRow>,
    is_training: bool,
    capacity: String,
    version: i32,
    conflict: bool,
    preferred_start: String,
    saved_reason: String,
}

fn decision_view(
    page: Page,
    application: &repo::Application,
    round: &repo::Round,
    accepted: i64,
    form: DecisionForm,
    errors: FieldErrors,
) -> DecisionPageView {
    let t = page.t;
    let a = &t.apps;
    let id = application.id;
    let seats = application
        .draft
        .candidates
        .applied()
        .into_iter()
        .map(|p| {
            let field = seats_field(p);
            SeatRow {
                field,
                label: format!("{}: {}", a.seats, p.label(a)),
                hint: fill(
                    a.seats_hint,
                    &[&application.draft.candidates.get(p).unwrap_or(0).to_string()],
                ),
                value: match p {
                    Programme::Mentor => form.mentor_seats.clone(),
                    Programme::ParentCoach => form.parent_coach_seats.clone(),
                    Programme::Coordinator => form.coordinator_seats.clone(),
                },
                error: errors.get(field).map(str::to_string),
            }
        })
        .collect();
    DecisionPageView {
        id,
        round: RoundSummary::of(round, a),
        state: application.state.label(a),
        outcomes: ApplicationState::decisions(round.kind)
            .iter()
            .map(|s| (s.code(), s.label(a)))
            .collect(),
        seats,
        is_training: round.kind == RoundKind::Training,
        capacity: round
            .capacity
            .map(|c| fill(a.capacity_used, &[&accepted.to_string(), &c.to_string()]))
            .unwrap_or_default(),
        version: form.version.unwrap_or(application.version),
        preferred_start: application
            .draft
            .preferred_start
            .map(clock::format_date)
            .unwrap_or_default(),
        saved_reason: application.decision_reason.clone(),
        form,
        errors,
        conflict: false,
        page: page
            .titled(fill(a.decision_title, &[&application.municipality_name]))
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder")
            .crumb(
                round.title.clone(),
                format!("/ansoegningsrunder/{}", round.id),
            )
            .crumb(
                application.municipality_name.clone(),
                format!("/ansoegninger/{id}"),
            )
            .crumb(a.decision, format!("/ansoegninger/{id}/afgoerelse")),
    }
}

fn form_of(application: &repo::Application) -> DecisionForm {
    let number = |p| {
        application
            .seats
            .get(p)
            .map(|n: i16| n.to_string())
            .unwrap_or_default()
    };
    DecisionForm {
        outcome: if application.state.is_decided() {
            application.state.code().to_string()
        } else {
            String::new()
        },
        reason: application.decision_reason.clone(),
        mentor_seats: number(Programme::Mentor),
        parent_coach_seats: number(Programme::ParentCoach),
        coordinator_seats: number(Programme::Coordinator),
        start_on: application
            .start_on
            .map(clock::format_date)
            .unwrap_or_default(),
        version: Some(application.version),
    }
}

pub async fn decision_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (application, round) = reviewable(&mut tx, id).await?;
    let accepted = repo::count_accepted(&mut tx, round.id, Uuid::nil()).await?;
    tx.commit().await?;
    let form = form_of(&application);
    Ok(decision_view(
        page,
        &application,
        &round,
        accepted,
        form,
        FieldErrors::default(),
    )
    .into_response())
}

pub async fn decide(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let (application, _) = reviewable(&mut tx, id).await?;
    // Decisions on one round queue up here, so that two accepting at once cannot both
    // take the last place.
    let round = repo::lock_round(&mut tx, application.round_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Re-read under the lock: the application may have been decided while waiting.
    let (application, _) = reviewable(&mut tx, id).await?;
    let accepted = repo::count_accepted(&mut tx, round.id, id).await?;
    let applied = application.draft.candidates.applied();
    let decision = match form.validate(round.kind, &applied, a) {
        Ok(decision) => decision,
        Err(errors) => {
            let view = decision_view(page, &application, &round, accepted, form, errors);
            return Ok(forms::invalid(view));
        }
    };
    if decision.outcome == ApplicationState::Accepted {
        let capacity = round.capacity.unwrap_or(0);
        if !within_capacity(capacity, accepted) {
            let mut errors = FieldErrors::default();
            errors.add("outcome", fill(a.capacity_full, &[&capacity.to_string()]));
            let view = decision_view(page, &application, &round, accepted, form, errors);
            return Ok(forms::invalid(view));
        }
    }
    let version = form.version.unwrap_or_default();
    if !repo::decide(&mut tx, id, &decision, version).await? {
        let mut view = decision_view(
            page,
            &application,
            &round,
            accepted,
            DecisionForm {
                version: Some(application.version),
                ..form
            },
            FieldErrors::default(),
        );
        view.conflict = true;
        return Ok(forms::stale(view));
    }
    let coordinators =
        crate::mail::notices::coordinators(&mut tx, application.municipality_id).await?;
    let notice = crate::mail::Notice::new(
        crate::mail::NoticeKind::ApplicationDecided,
        format!("/ansoegninger/{id}"),
        &[&round.title],
    );
    crate::mail::tell(&mut tx, &coordinators, &notice).await?;
    Done::to(format!("/ansoegninger/{id}"))
        .audit(
            Event::new("application_decided")
                .subject("application", id)
                .details(json!({ "outcome": decision.outcome.code() })),
        )
        .said(a.decision_saved)
        .finish(tx, addr, &session)
        .await
}
