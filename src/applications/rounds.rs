//! National staff run the rounds: plan, open with a deadline, close; see the round's
//! applications with filters and sorting, the spread by region and the programme mix.

use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::{
    ApplicationState, Programme, RoundForm, RoundState, clean_list_filter, region_counts,
};
use super::repo;
use super::views::{RoundFigures, RoundFormView, RoundView, RoundsView, round_form};
use crate::audit::{Done, Event};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::table::{self, ListSpec, Sort};

static ROUNDS: ListSpec = ListSpec {
    path: "/ansoegningsrunder",
    ..ListSpec::PLAIN
};

/// A round's applications; the page holds every applicant municipality, as a rule.
static APPLICATIONS: ListSpec = ListSpec {
    filters: &["state", "region", "programme"],
    sorts: &["municipality", "region", "state", "score", "submitted"],
    default_sort: Sort::asc("municipality"),
    per_page: 100,
    ..ListSpec::PLAIN
};

pub async fn rounds_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let query = ROUNDS.read(query.as_deref());
    let list = table::load!(query, |limit, offset| repo::list_rounds(
        &mut tx, limit, offset
    ));
    tx.commit().await?;
    Ok(RoundsView::new(page, list).into_response())
}

pub async fn new_round_page(page: Page) -> Response {
    let form = RoundForm {
        deadline_time: "12:00".into(),
        ..RoundForm::default()
    };
    RoundFormView::new(page, form, FieldErrors::default(), None).into_response()
}

pub async fn create_round(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<RoundForm>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let valid = match form.validate(a) {
        Ok(valid) => valid,
        Err(errors) => return Ok(forms::invalid(RoundFormView::new(page, form, errors, None))),
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert_round(&mut tx, &valid).await?;
    let location = format!("/ansoegningsrunder/{id}");
    forms::complete(&mut tx, key, &location).await?;
    Done::to(location)
        .audit(
            Event::new("application_round_created")
                .subject("application_round", id)
                .details(json!({ "kind": valid.kind.code() })),
        )
        .said(a.round_created)
        .finish(tx, addr, &session)
        .await
}

async fn existing(tx: &mut TenantTx, id: Uuid) -> AppResult<repo::Round> {
    repo::get_round(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn edit_round_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let round = existing(&mut tx, id).await?;
    tx.commit().await?;
    let form = round_form(&round);
    Ok(RoundFormView::new(page, form, FieldErrors::default(), Some(&round)).into_response())
}

pub async fn update_round(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<RoundForm>,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let round = existing(&mut tx, id).await?;
    // The kind of a round never changes: its applications answer that kind's questions.
    let form = RoundForm {
        kind: round.kind.code().to_string(),
        ..form
    };
    let valid = match form.validate(a) {
        Ok(valid) => valid,
        Err(errors) => {
            let view = RoundFormView::new(page, form, errors, Some(&round));
            return Ok(forms::invalid(view));
        }
    };
    if !repo::update_round(&mut tx, id, &valid, form.version.unwrap_or_default()).await? {
        // Read again: the version saved in between may be newer than the one read above.
        let round = existing(&mut tx, id).await?;
        let form = RoundForm {
            version: Some(round.version),
            ..form
        };
        let view = RoundFormView::new(page, form, FieldErrors::default(), Some(&round))
            .stale(&round_form(&round));
        return Ok(forms::stale(view));
    }
    Done::to(format!("/ansoegningsrunder/{id}"))
        .audit(Event::new("application_round_updated").subject("application_round", id))
        .said(a.round_updated)
        .finish(tx, addr, &session)
        .await
}

pub async fn open_round(
    tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_round(tx, addr, session, page, id, RoundState::Open).await
}

pub async fn close_round(
    tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_round(tx, addr, session, page, id, RoundState::Closed).await
}

async fn move_round(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    id: Uuid,
    to: RoundState,
) -> AppResult<Response> {
    let a = &page.t.apps;
    let round = existing(&mut tx, id).await?;
    if !round.state.can_move_to(to) {
        return Err(AppError::Conflict);
    }
    repo::set_round_state(&mut tx, id, to).await?;
    if to == RoundState::Open && crate::mail::claim(&mut tx, &format!("round_opened:{id}")).await? {
        // Every municipality's coordinators hear of it, in the same transaction; once,
        // also when a closed round is opened again.
        let coordinators =
            crate::mail::notices::staff(&mut tx, None, crate::vocab::Role::Coordinator).await?;
        let notice = crate::mail::Notice::new(
            crate::mail::NoticeKind::RoundOpened,
            "/ansoegninger",
            &[&round.title],
        );
        crate::mail::tell(&mut tx, &coordinators, &notice).await?;
    }
    let (action, message) = if to == RoundState::Open {
        ("application_round_opened", a.round_opened)
    } else {
        ("application_round_closed", a.round_closed_message)
    };
    Done::to(format!("/ansoegningsrunder/{id}"))
        .audit(Event::new(action).subject("application_round", id))
        .said(message)
        .finish(tx, addr, &session)
        .await
}

pub async fn round_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let round = existing(&mut tx, id).await?;
    let mut query = APPLICATIONS.read_at(format!("/ansoegningsrunder/{id}"), query.as_deref());
    let [mut state, mut region, mut programme] =
        ["state", "region", "programme"].map(|name| query.filter(name).to_string());
    clean_list_filter(&mut state, &mut region, &mut programme);
    query
        .set("state", state)
        .set("region", region)
        .set("programme", programme);
    let filter = repo::ListFilter {
        state: ApplicationState::from_code(query.filter("state")),
        region: query.filter("region"),
        programme: Programme::from_code(query.filter("programme")),
    };
    let list = table::load!(query, |limit, offset| repo::list_for_round(
        &mut tx, id, &filter, query.sort, limit, offset
    ));
    let figures = RoundFigures {
        list,
        regions: region_counts(&repo::region_spread(&mut tx, id).await?),
        mix: repo::programme_mix(&mut tx, id).await?,
        accepted: repo::count_accepted(&mut tx, id, Uuid::nil()).await?,
    };
    tx.commit().await?;
    Ok(RoundView::new(page, &round, figures).into_response())
}
