//! The coordinator's monthly coaching of each mentor and parent coach with courses in
//! progress (coordinator guide §3: at least once a month), recorded on the
//! solution-focused coaching card (samtalekort, §3.1) — one of the LAT tools, filled
//! through the same form mechanism.

pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::Done;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::tools::catalog::COACHING_CARD;
use crate::tools::form::{self, SectionView};
use crate::tools::repo as tools_repo;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, FieldErrors, Form, parse_date};
use crate::web::routes::{COORDINATOR, Route};
use crate::web::table::{self, List, ListQuery, ListSpec};
use crate::{clock, corps};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/coaching", COORDINATOR, log_page).menu(70, |t| t.common.nav_coaching),
        Route::post("/coaching", COORDINATOR, record),
    ]
}

/// The log's filter is sent as `member-filter`: the form above it has a `member` field.
static LIST: ListSpec = ListSpec {
    path: "/coaching",
    filters: &["member"],
    aliases: &[("member-filter", "member")],
    ..ListSpec::PLAIN
};

pub struct Row {
    held_on: String,
    member: String,
    coordinator: String,
    best_hopes: String,
    scale: String,
    next_step: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "coaching/log.html")]
struct LogView {
    page: Page,
    members: Vec<(String, String)>,
    uncoached: Vec<String>,
    member: String,
    held_on: String,
    card: Vec<SectionView>,
    errors: FieldErrors,
    /// The form's one-time key: a double click records one coaching.
    form_key: String,
    list: List<Row>,
}

/// What the form shows: the chosen member and date, the card, and the messages.
struct Entered {
    member: String,
    held_on: String,
    card: Vec<SectionView>,
    errors: FieldErrors,
    form_key: String,
}

async fn view(
    tx: &mut TenantTx,
    page: Page,
    query: &ListQuery,
    entered: Entered,
) -> AppResult<LogView> {
    let t = page.t;
    let members = corps::repo::options(tx).await?;
    let month_start = clock::today().replace_day(1).expect("day 1 exists");
    let uncoached = repo::uncoached_members(tx, month_start).await?;
    let member = query.filter("member").parse::<Uuid>().ok();
    let list = table::load!(query, |limit, offset| repo::entries(
        tx, member, limit, offset
    ));
    let cards =
        tools_repo::for_coaching(tx, &list.rows.iter().map(|e| e.id).collect::<Vec<_>>()).await?;
    let scale_of = |id: Uuid| {
        cards
            .iter()
            .find(|(coaching, _)| *coaching == id)
            .and_then(|(_, answers)| answers.get("scale"))
            .and_then(Value::as_i64)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    Ok(LogView {
        members: members
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        uncoached: uncoached.into_iter().map(|m| m.name).collect(),
        member: entered.member,
        held_on: entered.held_on,
        card: entered.card,
        errors: entered.errors,
        form_key: entered.form_key,
        list: list
            .columns(
                t,
                &[
                    (t.common.session_date, None),
                    (t.common.member, None),
                    (t.coaching.best_hopes, None),
                    (t.coaching.scale_today, None),
                    (t.common.next_step, None),
                    (t.coaching.coordinator, None),
                ],
            )
            .map(|e| Row {
                scale: scale_of(e.id),
                held_on: clock::format_date(e.held_on),
                member: e.member_name,
                coordinator: e.coordinator_name,
                best_hopes: e.notes,
                next_step: e.next_step,
            }),
        page: page
            .titled(t.coaching.coaching_title)
            .crumb(t.common.nav_start, "/")
            .crumb(t.coaching.coaching_title, "/coaching"),
    })
}

pub async fn log_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let mut query = LIST.read(query.as_deref());
    query.keep("member", |member| member.parse::<Uuid>().is_ok());
    let card = form::view(
        COACHING_CARD.current(),
        &Map::new(),
        &FieldErrors::default(),
        page.locale,
        None,
    );
    let entered = Entered {
        member: query.filter("member").to_string(),
        held_on: clock::format_date(clock::today()),
        card,
        errors: FieldErrors::default(),
        form_key: Uuid::new_v4().to_string(),
    };
    let view = view(&mut tx, page, &query, entered).await?;
    tx.commit().await?;
    Ok(view.into_response())
}

pub async fn record(
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = page.t;
    let field = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let definition = COACHING_CARD.current();
    let (answers, mut errors) = form::parse(definition, &pairs, t);
    let member = match field("member").parse::<Uuid>() {
        Ok(id) => corps::repo::get(&mut tx, Some(id), None).await?,
        Err(_) => None,
    };
    if member.is_none() {
        errors.add("member", t.coaching.choose_member);
    }
    let held_on = parse_date(&field("held_on")).filter(|date| *date <= clock::today());
    if held_on.is_none() {
        errors.add("held_on", t.common.date_invalid_or_future);
    }
    let (Some(member), Some(held_on)) = (member, held_on.filter(|_| errors.is_empty())) else {
        let card = form::view(definition, &Map::new(), &errors, page.locale, Some(&pairs));
        let entered = Entered {
            member: field("member"),
            held_on: field("held_on"),
            card,
            errors,
            form_key: field("form_key")
                .parse::<Uuid>()
                .unwrap_or_else(|_| Uuid::new_v4())
                .to_string(),
        };
        let view = view(&mut tx, page, &LIST.read(None), entered).await?;
        return Ok(forms::invalid(view));
    };
    let text = |key: &str| {
        answers
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let key = field("form_key")
        .parse::<Uuid>()
        .map_err(|_| AppError::Unprocessable)?;
    if let forms::Claim::Done(location) = forms::claim(&mut tx, key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    forms::complete(&mut tx, key, "/coaching").await?;
    let coaching = repo::insert(
        &mut tx,
        member.id,
        held_on,
        &text("best_hopes"),
        &text("next_step"),
    )
    .await?;
    let new = tools_repo::NewAnswer {
        target: tools_repo::Target {
            course_id: None,
            coaching_id: Some(coaching),
        },
        tool: COACHING_CARD.key,
        version: definition.version,
        phase: None,
        answers: &answers,
        filled_on: held_on,
    };
    tools_repo::insert(&mut tx, new, &[]).await?;
    Done::to("/coaching")
        .said(t.coaching.coaching_recorded)
        .finish(tx, addr, &session)
        .await
}
