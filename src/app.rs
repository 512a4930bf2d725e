//! Router assembly, middleware stack and the shared state.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use crate::config::Config;
use crate::web::{assets, csrf, error_pages, headers};
use crate::{
    account, applications, audit, auth, citizens, coaching, corps, courses, dashboards, db,
    exports, home, loans, matching, municipalities, staff, tools, training,
};

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

pub const SESSION_COOKIE: &str = "korps_session";

/// The whole application. Tests call this with their own database.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.pool.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(!state.config.insecure_cookies)
        .with_expiry(Expiry::OnInactivity(CookieDuration::seconds(
            auth::IDLE_TIMEOUT_SECS,
        )));

    let pages = Router::new()
        .route("/", get(home::start_page))
        .route("/tilgaengelighed", get(home::accessibility_page))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/konto", get(account::account_page))
        .route("/konto/sprog", post(account::set_locale))
        .route("/konto/adgangskode", post(account::change_password))
        .route(
            "/kommuner",
            get(municipalities::list_page).post(municipalities::create),
        )
        .route("/kommuner/ny", get(municipalities::new_page))
        .route("/kommuner/{id}", get(municipalities::show_page))
        .route(
            "/kommuner/{id}/koordinatorer",
            post(municipalities::create_coordinator),
        )
        .route("/medarbejdere", get(staff::list_page).post(staff::create))
        .route("/medarbejdere/ny", get(staff::new_page))
        .route(
            "/medarbejdere/{id}",
            get(staff::edit_page).post(staff::update),
        )
        .route(
            "/medarbejdere/{id}/deaktiver",
            get(staff::deactivate_page).post(staff::deactivate),
        )
        .route("/medarbejdere/{id}/aktiver", post(staff::reactivate))
        .route(
            "/medarbejdere/{id}/nulstil-adgangskode",
            get(staff::reset_password_page).post(staff::reset_password),
        )
        .route("/adgangslog", get(audit::audit_log_page))
        .route("/adgangslog.csv", get(audit::audit_log_csv))
        .route("/korps", get(corps::list_page))
        .route("/korps/{id}", get(corps::edit_page).post(corps::update))
        .route("/min-profil", get(corps::own_page).post(corps::update_own))
        .route("/borgere", get(citizens::list_page).post(citizens::create))
        .route("/borgere/ny", get(citizens::new_page))
        .route(
            "/borgere/{id}",
            get(citizens::show_page).post(citizens::update),
        )
        .route("/borgere/{id}/rediger", get(citizens::edit_page))
        .route("/borgere/{id}/samtykker", post(citizens::add_consent))
        .route(
            "/borgere/{id}/samtykker/{consent_id}/tilbagekald",
            post(citizens::withdraw_consent),
        )
        .route("/borgere/{id}/relationer", post(citizens::add_relation))
        .route("/borgere/{id}/konflikter", post(citizens::add_conflict))
        .route("/borgere/{id}/forloeb", post(courses::create_for_citizen))
        .route("/forloeb", get(courses::list_page))
        .route(
            "/forloeb/nyt-netvaerk",
            get(courses::new_network_page).post(courses::create_network),
        )
        .route("/forloeb/{id}", get(courses::show_page))
        .route(
            "/forloeb/{id}/match",
            get(matching::candidates_page).post(matching::assign),
        )
        .route("/forloeb/{id}/status", post(courses::transition))
        .route("/forloeb/{id}/annuller", post(courses::cancel))
        .route("/forloeb/{id}/overdragelse", get(courses::handover_page))
        .route("/forloeb/{id}/sessioner/ny", get(courses::new_session_page))
        .route("/forloeb/{id}/sessioner", post(courses::log_session))
        .route(
            "/forloeb/{id}/sessioner/{session_id}",
            get(courses::edit_session_page).post(courses::update_session),
        )
        .route(
            "/forloeb/{id}/redskaber/{tool}",
            get(tools::fill_page).post(tools::submit),
        )
        .route(
            "/forloeb/{id}/redskaber/svar/{answer_id}",
            get(tools::answer_page),
        )
        .route("/overblik", get(dashboards::overview_page))
        .route(
            "/nationalt-overblik",
            get(dashboards::national::national_page),
        )
        .route("/eksport", get(exports::index_page))
        .route("/eksport/{file}", get(exports::download))
        .route("/coaching", get(coaching::log_page).post(coaching::record))
        .route(
            "/forloeb/{id}/udlaan",
            get(loans::request_page).post(loans::request),
        )
        .route("/udlaan", get(loans::list_page))
        .route("/udlaan/{id}", get(loans::show_page))
        .route("/udlaan/{id}/videresend", post(loans::forward))
        .route("/udlaan/{id}/accepter", post(loans::accept))
        .route("/udlaan/{id}/afvis", post(loans::decline))
        .route("/udlaan/{id}/tildel", post(loans::assign))
        .route("/udlaan/{id}/traek-tilbage", post(loans::withdraw))
        .route("/udlaan/{id}/afslut", post(loans::end))
        .route("/udlaan/{id}/afregning", get(loans::settlement_page))
        .route(
            "/ansoegningsrunder",
            get(applications::rounds_page).post(applications::create_round),
        )
        .route("/ansoegningsrunder/ny", get(applications::new_round_page))
        .route("/ansoegningsrunder/{id}", get(applications::round_page))
        .route(
            "/ansoegningsrunder/{id}/rediger",
            get(applications::edit_round_page).post(applications::update_round),
        )
        .route(
            "/ansoegningsrunder/{id}/aabn",
            post(applications::open_round),
        )
        .route(
            "/ansoegningsrunder/{id}/luk",
            post(applications::close_round),
        )
        .route("/ansoegningsrunder/{id}/ansoeg", post(applications::apply))
        .route("/ansoegninger", get(applications::own_list_page))
        .route("/ansoegninger/{id}", get(applications::show_page))
        .route(
            "/ansoegninger/{id}/rediger",
            get(applications::edit_page).post(applications::save).layer(
                // The minutes file (10 MB) and the answers; the handler reports a file
                // that is too large next to the field.
                axum::extract::DefaultBodyLimit::max(crate::web::csrf::MAX_BODY),
            ),
        )
        .route(
            "/ansoegninger/{id}/partnere",
            post(applications::add_partner),
        )
        .route(
            "/ansoegninger/{id}/partnere/fjern",
            post(applications::remove_partner),
        )
        .route("/ansoegninger/{id}/bekraeft", post(applications::confirm))
        .route("/ansoegninger/{id}/bilag", get(applications::download))
        .route(
            "/ansoegninger/{id}/vurdering",
            get(applications::review_page).post(applications::save_review),
        )
        .route(
            "/ansoegninger/{id}/afgoerelse",
            get(applications::decision_page).post(applications::decide),
        )
        .route("/uddannelse", get(training::index_page))
        .route("/uddannelse/hold/ny", get(training::new_cohort_page))
        .route("/uddannelse/hold", post(training::create_cohort))
        .route("/uddannelse/hold/{id}", get(training::cohort_page))
        .route(
            "/uddannelse/hold/{id}/rediger",
            get(training::edit_cohort_page).post(training::update_cohort),
        )
        .route(
            "/uddannelse/hold/{id}/moduler/ny",
            get(training::new_module_page),
        )
        .route(
            "/uddannelse/hold/{id}/moduler",
            post(training::create_module),
        )
        .route(
            "/uddannelse/hold/{id}/moduler/{module_id}",
            get(training::attendance_page).post(training::record_attendance),
        )
        .route(
            "/uddannelse/hold/{id}/indstillinger",
            post(training::nominate),
        )
        .route(
            "/uddannelse/indstillinger/{id}/tilbagetraek",
            post(training::withdraw),
        )
        .route(
            "/uddannelse/arrangementer/ny",
            get(training::new_event_page),
        )
        .route("/uddannelse/arrangementer", post(training::create_event))
        .route(
            "/uddannelse/arrangementer/{id}",
            get(training::event_page).post(training::record_event_attendance),
        )
        .route("/korpsoversigt", get(training::roster_page))
        .route("/korpsoversigt.csv", get(training::roster_csv))
        .route_layer(from_fn(auth::access::authorize))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(
            ServiceBuilder::new()
                .layer(sessions)
                .layer(from_fn_with_state(
                    state.clone(),
                    error_pages::render_error_pages,
                ))
                .layer(from_fn_with_state(state.clone(), auth::load_user))
                .layer(from_fn_with_state(state.clone(), csrf::verify)),
        );

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/static/{version}/{*path}", get(assets::serve))
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                    // The path without its query: queries can hold what a user searched for.
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    tracing::info_span!("request", method = %request.method(), path = request.uri().path(), id)
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(state.clone(), headers::security_headers))
                .layer(CompressionLayer::new())
                .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30))),
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
