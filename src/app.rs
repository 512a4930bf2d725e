//! Router assembly from every feature's declared routes, and the middleware stack.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::state::AppState;
use crate::web::limits::{self, Limits};
use crate::web::routes::{self, Access, Route, RouteTable};
use crate::web::{assets, cookies, csrf, error_pages, headers, telemetry};
use crate::{
    account, applications, audit_log, auth, calendar, citizens, coaching, corps, courses,
    dashboards, db, exports, home, inbox, insight, loans, login, matching, municipalities,
    retention, staff, statistics, training,
};

/// Every feature's routes, in the order features are listed here.
pub fn feature_routes() -> Vec<Route> {
    [
        home::routes(),
        login::routes(),
        account::routes(),
        municipalities::routes(),
        staff::routes(),
        audit_log::routes(),
        insight::routes(),
        corps::routes(),
        citizens::routes(),
        courses::routes(),
        matching::routes(),
        dashboards::routes(),
        exports::routes(),
        coaching::routes(),
        loans::routes(),
        applications::routes(),
        training::routes(),
        inbox::routes(),
        calendar::routes(),
        retention::routes(),
        statistics::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The routes served without a session: probes and the embedded assets.
fn platform_routes() -> Vec<Route> {
    vec![
        Route::get("/healthz", Access::Public, || async { "ok" }),
        Route::get("/readyz", Access::Public, readyz),
        Route::get("/metrics", Access::Public, metrics_with_token),
        Route::get("/static/{version}/{*path}", Access::Public, assets::serve),
    ]
}

/// Every route's rule, platform and features alike: the access check and the menu read
/// it, and the route × role test walks it.
pub fn route_table() -> RouteTable {
    let (platform, features) = (platform_routes(), feature_routes());
    RouteTable::new(platform.iter().chain(&features).map(|route| route.rule))
}

/// The whole application. Tests call this with their own database.
///
/// A feature route's request passes, in order: the POST rate limit and the body limit
/// (`web::limits`) and the visitor's CSRF cookie with the origin check (`csrf::visitor`),
/// none of which reads the session or the database; then the session, the error pages,
/// the user (`auth::load_user`), the read log (`crate::audit::write_reads`), the CSRF token (`csrf::verify`) and the access check.
pub fn router(state: AppState) -> Router {
    let secure = !state.config.insecure_cookies;
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.pool.clone()))
        .with_name(cookies::session_name(secure))
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(CookieDuration::seconds(
            state.config.idle_timeout,
        )));
    let limits = Limits::new(state.clone());

    let table = Arc::new(route_table());
    let platform = routes::assemble(platform_routes());
    let pages = routes::assemble(feature_routes())
        .route_layer(from_fn(auth::access::authorize))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(limits.clone(), limits::rate))
                .layer(from_fn_with_state(limits, limits::body))
                .layer(from_fn_with_state(
                    csrf::Csrf::new(state.clone()),
                    csrf::visitor,
                ))
                .layer(sessions)
                .layer(from_fn_with_state(
                    state.clone(),
                    error_pages::render_error_pages,
                ))
                .layer(from_fn_with_state(state.clone(), auth::load_user))
                .layer(from_fn_with_state(state.clone(), crate::audit::write_reads))
                .layer(from_fn(csrf::verify)),
        );

    platform
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(Extension(table))
                // Korps makes every request's id itself: a client's own would let anyone
                // put a real user's id (or 400 KB) into the log lines of their requests.
                .layer(from_fn(telemetry::forget_client_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(from_fn(telemetry::observe))
                .layer(TraceLayer::new_for_http().make_span_with(
                    |request: &axum::http::Request<_>| {
                        // The path without its query: queries can hold what a user searched for.
                        let id = telemetry::id_of(request);
                        // A calendar feed's path is its secret token: logged without it.
                        let path = calendar::logged_path(request.uri().path());
                        tracing::info_span!("request", method = %request.method(), path, id)
                    },
                ))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(state.clone(), headers::security_headers))
                .layer(CompressionLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    if db::is_ready(&state.pool).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            "database unavailable",
        )
            .into_response()
    }
}

/// `/metrics` on the main address: only with `Authorization: Bearer <KORPS_METRICS_TOKEN>`;
/// without a configured token it does not exist.
async fn metrics_with_token(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let Some(token) = state
        .config
        .metrics_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
        .unwrap_or_default();
    if !bool::from(subtle::ConstantTimeEq::ct_eq(given, token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            "a metrics token is needed",
        )
            .into_response();
    }
    metrics(State(state)).await
}

/// The metrics, read now: the pool's state, and the outbox at most every 10 seconds
/// (skipped when the database does not answer within a second, so a scrape during an
/// outage still answers, and frequent scrapes cost the database nothing).
pub async fn metrics(State(state): State<AppState>) -> axum::response::Response {
    let pool = &state.pool;
    let outbox = if crate::metrics::outbox_is_fresh(Duration::from_secs(10)) {
        None
    } else {
        read_outbox(pool).await
    };
    let snapshot = crate::metrics::Snapshot {
        pool_size: pool.size(),
        pool_idle: pool.num_idle(),
        pool_max: pool.options().get_max_connections(),
        outbox,
    };
    (
        [(
            axum::http::header::CONTENT_TYPE,
            crate::metrics::CONTENT_TYPE,
        )],
        crate::metrics::encode(snapshot),
    )
        .into_response()
}

async fn read_outbox(pool: &sqlx::PgPool) -> Option<crate::metrics::Outbox> {
    tokio::time::timeout(Duration::from_secs(1), async {
        let mut tx = db::TenantTx::begin(pool, db::Scope::Job).await?;
        let outbox = crate::mail::outbox::health(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(outbox)
    })
    .await
    .ok()
    .and_then(Result::ok)
}

/// `/metrics` alone, without a token: for `KORPS_METRICS_BIND`, an address only the
/// monitoring network reaches.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}
