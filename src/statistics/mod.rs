//! Open statistics (issue 14, point 4): the national page's protected figures as JSON
//! (`/api/v1/statistik`) and CSV (`/api/v1/statistik.csv`), for a national staff session
//! or an API token that national staff create and revoke on `/api-adgang`. Only the
//! token's SHA-256 is stored; the token is shown once. A request with a token makes no
//! session and reads as the token's user in a national transaction, which sees the
//! aggregates and nothing else.

pub mod model;
mod repo;
mod views;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event};
use crate::auth::CurrentUser;
use crate::dashboards::national::{self, NationalQuery};
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::state::AppState;
use crate::vocab::Role;
use crate::web::client::ClientAddr;
use crate::web::forms::{self, Claim, FieldErrors, Form};
use crate::web::routes::{Access, NATIONAL, Route};
use crate::web::{Page, api, csv_export, flash};
use views::{TokenForm, TokensView};

pub const TOKENS_PATH: &str = "/api-adgang";
pub const API_PATH: &str = "/api/v1/statistik";

/// National staff's session or a token of theirs.
const NATIONAL_OR_TOKEN: Access = Access::RolesOrToken(&[Role::National]);

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get(TOKENS_PATH, NATIONAL, tokens_page).menu(180, |t| t.statistics.nav_api_access),
        Route::post(TOKENS_PATH, NATIONAL, create),
        Route::post("/api-adgang/{id}/tilbagekald", NATIONAL, revoke),
        Route::get(API_PATH, NATIONAL_OR_TOKEN, statistics_json),
        Route::get("/api/v1/statistik.csv", NATIONAL_OR_TOKEN, statistics_csv),
    ]
}

async fn view(
    tx: &mut TenantTx,
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    form: TokenForm,
    errors: FieldErrors,
    new_token: Option<String>,
) -> AppResult<TokensView> {
    let tokens = repo::list(tx, user.id).await?;
    Ok(TokensView::new(
        page,
        form,
        errors,
        tokens,
        new_token,
        state.config.public_url(),
    ))
}

pub async fn tokens_page(
    user: CurrentUser,
    State(state): State<AppState>,
    mut tx: TenantTx,
    session: Session,
    page: Page,
) -> AppResult<Response> {
    let new_token = flash::take_secret(&session, user.id).await?;
    let view = view(
        &mut tx,
        &state,
        page,
        &user,
        TokenForm::default(),
        FieldErrors::default(),
        new_token,
    )
    .await?;
    tx.commit().await?;
    Ok(view.into_response())
}

/// Makes a token; it is shown once, on the page after the redirect (kept in the session
/// until then, never in a URL).
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let t = page.t;
    let key = form.form_key.ok_or(AppError::Unprocessable)?;
    let name = match model::token_name(&form.name, t) {
        Ok(name) => name,
        Err(errors) => {
            let view = view(&mut tx, &state, page, &user, form, errors, None).await?;
            tx.commit().await?;
            return Ok(forms::invalid(view));
        }
    };
    if let Claim::Done(location) = forms::claim(&mut tx, key).await? {
        tx.commit().await?;
        return Ok(Redirect::to(&location).into_response());
    }
    let token = model::new_token();
    let id = Uuid::now_v7();
    repo::create(&mut tx, id, user.id, &name, &model::hash(&token)).await?;
    forms::complete(&mut tx, key, TOKENS_PATH).await?;
    let done = Done::to(TOKENS_PATH)
        .audit(
            Event::new("api_token_created")
                .subject("api_token", id)
                .details(json!({ "name": name })),
        )
        .said(t.statistics.token_created)
        .finish(tx, addr, &session)
        .await?;
    flash::put_secret(&session, user.id, &token).await?;
    Ok(done)
}

/// Revokes one of the user's own tokens; another's answers 404.
pub async fn revoke(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let revoked = repo::revoke(&mut tx, id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut done = Done::to(TOKENS_PATH).said(page.t.statistics.token_revoked);
    if revoked {
        done = done.audit(Event::new("api_token_revoked").subject("api_token", id));
    }
    done.finish(tx, addr, &session).await
}

/// Who reads the statistics: a national staff session (the access check has seen to the
/// role) or a valid token of national staff.
pub enum ApiCaller {
    Session(Uuid),
    Token { user_id: Uuid, hash: Vec<u8> },
}

fn unauthorized() -> Response {
    let t = Locale::Da.messages();
    api::error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        t.statistics.api_unauthorized,
    )
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(ApiCaller::Session(user.id));
        }
        let hash = api::bearer(&parts.headers)
            .and_then(model::token_hash_of)
            .ok_or_else(unauthorized)?;
        let lookup = async {
            let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
            let user = repo::token_user(&mut tx, &hash).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(user)
        };
        match lookup.await {
            Ok(Some(user_id)) => Ok(ApiCaller::Token { user_id, hash }),
            Ok(None) => Err(unauthorized()),
            Err(err) => Err(AppError::from(err).into_response()),
        }
    }
}

/// The national figures for `query`, read as the caller; a query that cannot be read is
/// a 400 naming its fields.
async fn read(
    state: &AppState,
    caller: ApiCaller,
    query: &NationalQuery,
) -> Result<model::Statistics, Response> {
    let t = Locale::Da.messages();
    let run = async {
        let (user_id, hash) = match caller {
            ApiCaller::Session(user_id) => (user_id, None),
            ApiCaller::Token { user_id, hash } => (user_id, Some(hash)),
        };
        let mut tx = TenantTx::begin(&state.pool, Scope::National { user_id }).await?;
        if let Some(hash) = &hash {
            repo::mark_used(&mut tx, hash).await?;
        }
        let mut errors = FieldErrors::default();
        let data = national::load(state, &mut tx, t, query, &mut errors).await?;
        tx.commit().await?;
        Ok::<_, AppError>((data, errors))
    };
    let (data, errors) = run.await.map_err(IntoResponse::into_response)?;
    if !errors.is_empty() {
        let fields: serde_json::Map<String, serde_json::Value> = errors
            .iter()
            .map(|(field, message)| (field.to_string(), json!(message)))
            .collect();
        return Err(api::json(
            StatusCode::BAD_REQUEST,
            &json!({
                "error": "invalid_query",
                "message": t.statistics.api_invalid_query,
                "fields": fields,
            }),
        ));
    }
    let (shown, years) = data.shown(&query.area);
    Ok(model::statistics(
        t,
        &data.filter,
        data.read_at,
        &shown,
        &years,
    ))
}

/// The figures as JSON (keys in README, "Open statistics").
pub async fn statistics_json(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<NationalQuery>,
) -> Response {
    match read(&state, caller, &query).await {
        Ok(statistics) => api::json(StatusCode::OK, &statistics),
        Err(response) => response,
    }
}

/// The figures as CSV: one long table, Danish headings, `;` as Danish Excel expects.
pub async fn statistics_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<NationalQuery>,
) -> Response {
    let t = Locale::Da.messages();
    let statistics = match read(&state, caller, &query).await {
        Ok(statistics) => statistics,
        Err(response) => return response,
    };
    csv_export::download(
        "statistik.csv",
        &model::csv_header(t),
        model::csv_rows(t, &statistics),
    )
    .unwrap_or_else(IntoResponse::into_response)
}
