//! National staff run the rounds: plan, open with a deadline, close; see the round's
//! applications with filters and sorting, the spread by region and the programme mix.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::{AppState, Programme, RoundForm, RoundKind, RoundState, format_deadline};
use super::repo;
use crate::audit::{self, Event};
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::i18n::fill;
use crate::web::Page;
use crate::web::chart;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::table::{self, Column, ListUrl, Sort};

const REGIONS: [&str; 5] = [
    "hovedstaden",
    "sjaelland",
    "syddanmark",
    "midtjylland",
    "nordjylland",
];

pub struct RoundListRow {
    id: Uuid,
    title: String,
    kind: &'static str,
    state: &'static str,
    state_code: &'static str,
    deadline: String,
    received: i64,
    undecided: i64,
    accepted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/rounds.html")]
struct RoundsView {
    page: Page,
    rows: Vec<RoundListRow>,
}

pub async fn rounds_page(mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let t = page.t;
    let a = &t.apps;
    let rows = repo::list_rounds(&mut tx)
        .await?
        .into_iter()
        .map(|row| RoundListRow {
            id: row.round.id,
            title: row.round.title.clone(),
            kind: row.round.kind.label(a),
            state: row.round.state.label(a),
            state_code: row.round.state.code(),
            deadline: format_deadline(row.round.deadline, a),
            received: row.received,
            undecided: row.undecided,
            accepted: match row.round.capacity {
                Some(capacity) => format!("{} / {capacity}", row.accepted),
                None => row.accepted.to_string(),
            },
        })
        .collect();
    tx.commit().await?;
    Ok(RoundsView {
        page: page
            .titled(a.rounds_title)
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder"),
        rows,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/round_form.html")]
struct RoundFormView {
    page: Page,
    action: String,
    form: RoundForm,
    errors: FieldErrors,
    form_key: String,
    version: i32,
    editing: bool,
    kind_options: Vec<(&'static str, &'static str)>,
    conflict: bool,
}

impl RoundFormView {
    fn new(
        page: Page,
        form: RoundForm,
        errors: FieldErrors,
        existing: Option<&repo::Round>,
    ) -> Self {
        let t = page.t;
        let a = &t.apps;
        let (title, action) = match existing {
            Some(round) => (
                round.title.clone(),
                format!("/ansoegningsrunder/{}/rediger", round.id),
            ),
            None => (a.new_round.to_string(), "/ansoegningsrunder".to_string()),
        };
        let mut page = page
            .titled(title.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder");
        if let Some(round) = existing {
            page = page.crumb(
                round.title.clone(),
                format!("/ansoegningsrunder/{}", round.id),
            );
        }
        let page = page.crumb(
            if existing.is_some() {
                t.common.edit
            } else {
                a.new_round
            },
            action.clone(),
        );
        RoundFormView {
            page,
            action,
            form_key: form.form_key.unwrap_or_else(Uuid::new_v4).to_string(),
            version: form
                .version
                .or(existing.map(|round| round.version))
                .unwrap_or_default(),
            editing: existing.is_some(),
            kind_options: RoundKind::ALL
                .iter()
                .map(|kind| (kind.code(), kind.label(a)))
                .collect(),
            form,
            errors,
            conflict: false,
        }
    }
}

fn form_of(round: &repo::Round) -> RoundForm {
    let local = clock::to_danish(round.deadline);
    RoundForm {
        kind: round.kind.code().to_string(),
        title: round.title.clone(),
        description: round.description.clone(),
        deadline_date: clock::format_date(local.date()),
        deadline_time: format!("{:02}:{:02}", local.hour(), local.minute()),
        capacity: round.capacity.map(|c| c.to_string()).unwrap_or_default(),
        corps_until: round
            .corps_until
            .map(clock::format_date)
            .unwrap_or_default(),
        version: Some(round.version),
        form_key: None,
    }
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
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                RoundFormView::new(page, form, errors, None),
            )
                .into_response());
        }
    };
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    let id = repo::insert_round(&mut tx, &valid).await?;
    audit::record(
        &mut tx,
        addr,
        Event::new("application_round_created")
            .subject("application_round", id)
            .details(json!({ "kind": valid.kind.code() })),
    )
    .await?;
    let location = format!("/ansoegningsrunder/{id}");
    forms::complete(&mut tx, key, &location).await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, a.round_created).await?;
    Ok(Redirect::to(&location).into_response())
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
    Ok(
        RoundFormView::new(page, form_of(&round), FieldErrors::default(), Some(&round))
            .into_response(),
    )
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
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                RoundFormView::new(page, form, errors, Some(&round)),
            )
                .into_response());
        }
    };
    if !repo::update_round(&mut tx, id, &valid, form.version.unwrap_or_default()).await? {
        let mut view = RoundFormView::new(
            page,
            RoundForm {
                version: Some(round.version),
                ..form
            },
            FieldErrors::default(),
            Some(&round),
        );
        view.conflict = true;
        return Ok((StatusCode::CONFLICT, view).into_response());
    }
    audit::record(
        &mut tx,
        addr,
        Event::new("application_round_updated").subject("application_round", id),
    )
    .await?;
    tx.commit().await?;
    flash::push(&session, flash::Kind::Success, a.round_updated).await?;
    Ok(Redirect::to(&format!("/ansoegningsrunder/{id}")).into_response())
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
    let allowed = matches!(
        (round.state, to),
        (RoundState::Planned | RoundState::Closed, RoundState::Open)
            | (RoundState::Open, RoundState::Closed)
    );
    if !allowed {
        return Err(AppError::Conflict);
    }
    repo::set_round_state(&mut tx, id, to).await?;
    let action = if to == RoundState::Open {
        "application_round_opened"
    } else {
        "application_round_closed"
    };
    audit::record(
        &mut tx,
        addr,
        Event::new(action).subject("application_round", id),
    )
    .await?;
    tx.commit().await?;
    let message = if to == RoundState::Open {
        a.round_opened
    } else {
        a.round_closed_message
    };
    flash::push(&session, flash::Kind::Success, message).await?;
    Ok(Redirect::to(&format!("/ansoegningsrunder/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct RoundQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    programme: String,
    sort: Option<String>,
    dir: Option<String>,
}

pub struct ApplicationRow {
    id: Uuid,
    municipality: String,
    region: &'static str,
    state: &'static str,
    badge: &'static str,
    programmes: String,
    partners: i64,
    score: String,
    submitted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications/round.html")]
struct RoundView {
    page: Page,
    round: super::views::RoundSummary,
    state_code: &'static str,
    capacity: Option<i16>,
    corps_until: String,
    deadline_passed: bool,
    filter: RoundQuery,
    state_options: Vec<(&'static str, &'static str)>,
    region_options: Vec<(&'static str, &'static str)>,
    programme_options: Vec<(&'static str, &'static str)>,
    rows: Vec<ApplicationRow>,
    columns: Vec<Column>,
    url: ListUrl,
    regions: Vec<(&'static str, i64)>,
    region_chart: String,
    mix: Vec<(&'static str, i64, i64, i64)>,
    accepted: i64,
}

pub async fn round_page(
    mut tx: TenantTx,
    page: Page,
    Path(id): Path<Uuid>,
    Query(mut query): Query<RoundQuery>,
) -> AppResult<Response> {
    let t = page.t;
    let a = &t.apps;
    let round = existing(&mut tx, id).await?;
    if AppState::from_code(&query.state).is_none_or(|s| s == AppState::Draft) {
        query.state.clear();
    }
    if !REGIONS.contains(&query.region.as_str()) {
        query.region.clear();
    }
    if Programme::from_code(&query.programme).is_none() {
        query.programme.clear();
    }
    let sort = Sort::parse(
        query.sort.as_deref(),
        query.dir.as_deref(),
        &["municipality", "region", "state", "score", "submitted"],
        Sort {
            column: "municipality",
            descending: false,
        },
    );
    let filter = repo::ListFilter {
        state: &query.state,
        region: &query.region,
        programme: &query.programme,
    };
    let list = repo::list_for_round(&mut tx, id, &filter, sort.column, sort.descending).await?;
    let spread = repo::region_spread(&mut tx, id).await?;
    let mix = repo::programme_mix(&mut tx, id).await?;
    let accepted = repo::count_accepted(&mut tx, id, Uuid::nil()).await?;
    tx.commit().await?;
    let url = ListUrl::new(
        &format!("/ansoegningsrunder/{id}"),
        &[
            ("state", &query.state),
            ("region", &query.region),
            ("programme", &query.programme),
            ("sort", sort.column),
            ("dir", sort.dir()),
        ],
    );
    let columns = table::columns(
        &url,
        sort,
        &[
            (t.common.municipality, Some("municipality")),
            (t.common.region, Some("region")),
            (
                if round.kind == RoundKind::Training {
                    a.programmes
                } else {
                    a.q_preferred_start
                },
                None,
            ),
            (t.common.status, Some("state")),
            (a.total_score, Some("score")),
            (a.submitted_on, Some("submitted")),
        ],
        t,
    );
    let rows = list
        .into_iter()
        .map(|row| {
            let state = AppState::from_code(&row.state).unwrap_or(AppState::Submitted);
            ApplicationRow {
                id: row.id,
                municipality: row.municipality_name,
                region: t.region_label(&row.region),
                state: state.label(a),
                badge: state.badge(),
                programmes: if round.kind == RoundKind::Training {
                    row.candidates
                        .applied()
                        .into_iter()
                        .map(|p| format!("{} ({})", p.label(a), row.candidates.get(p).unwrap_or(0)))
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    row.preferred_start
                        .map(clock::format_date)
                        .unwrap_or_default()
                },
                partners: row.partners,
                score: match (row.total_score, row.scored_count) {
                    (Some(total), Some(n)) if n > 0 => {
                        fill(a.score_of_n, &[&total.to_string(), &n.to_string()])
                    }
                    _ => a.not_scored.to_string(),
                },
                submitted: row
                    .submitted_at
                    .map(|at| clock::format_date(clock::to_danish(at).date()))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let regions: Vec<(&'static str, i64)> = REGIONS
        .iter()
        .map(|code| {
            let count = spread
                .iter()
                .find(|(region, _)| region == code)
                .map_or(0, |(_, n)| *n);
            (t.region_label(code), count)
        })
        .collect();
    let region_chart = if regions.iter().any(|(_, n)| *n > 0) {
        let description = regions
            .iter()
            .map(|(label, n)| format!("{label}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        chart::bar_chart(
            "region-chart",
            a.spread_title,
            &description,
            &regions
                .iter()
                .map(|(label, n)| chart::Bar {
                    label: label.to_string(),
                    value: Some(*n as f64),
                    shown: n.to_string(),
                })
                .collect::<Vec<_>>(),
        )
    } else {
        String::new()
    };
    let mix = Programme::ALL
        .iter()
        .zip(mix)
        .map(|(p, (apps, candidates, seats))| (p.label(a), apps, candidates, seats))
        .collect();
    let state_options = AppState::ALL
        .iter()
        .filter(|s| **s != AppState::Draft)
        .filter(|s| !s.is_decided() || AppState::decisions(round.kind).contains(s))
        .map(|s| (s.code(), s.label(a)))
        .collect();
    Ok(RoundView {
        page: page
            .titled(round.title.clone())
            .crumb(t.common.nav_start, "/")
            .crumb(a.rounds_title, "/ansoegningsrunder")
            .crumb(round.title.clone(), format!("/ansoegningsrunder/{id}")),
        state_code: round.state.code(),
        capacity: round.capacity,
        corps_until: round
            .corps_until
            .map(clock::format_date)
            .unwrap_or_default(),
        deadline_passed: super::model::deadline_passed(round.deadline, clock::now()),
        round: super::views::RoundSummary::of(&round, a),
        filter: query,
        state_options,
        region_options: REGIONS.iter().map(|r| (*r, t.region_label(r))).collect(),
        programme_options: Programme::ALL
            .iter()
            .map(|p| (p.code(), p.label(a)))
            .collect(),
        rows,
        columns,
        url,
        regions,
        region_chart,
        mix,
        accepted,
    }
    .into_response())
}
