//! What a request may cost before anyone knows who sent it. Both checks run before the
//! session is read, so a refused request costs no database work:
//!
//! - `rate`: at most `KORPS_POST_LIMIT_PER_MINUTE` POSTs per minute from one client
//!   network (an IPv4 address, an IPv6 /64), counted in this instance's memory (several
//!   instances each count their own). Beyond it: 429 with `Retry-After` and a page that
//!   says how long to wait.
//! - `body`: a request body of at most `FORM_BODY` bytes, read into memory here, so the
//!   layers below never wait on a slow or endless body. A route declared with
//!   `Route::upload` takes more from a request with a session cookie (its handler reads
//!   the file and reports one that is too large). Beyond it: 413.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::state::AppState;
use crate::web::client;
use crate::web::error_pages;
use crate::web::routes::RouteTable;

/// The largest body of a form (and of any request to a route that takes no file).
pub const FORM_BODY: usize = 64 * 1024;

/// The POST counter of one instance, shared by every request it serves.
#[derive(Clone)]
pub struct Limits {
    state: AppState,
    posts: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    checked: Arc<AtomicU64>,
}

impl Limits {
    pub fn new(state: AppState) -> Limits {
        let per_minute =
            NonZeroU32::new(state.config.post_limit_per_minute).unwrap_or(NonZeroU32::MIN);
        Limits {
            state,
            posts: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            checked: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Time to wait before `network` may POST again, or `None` when it may now.
    fn wait(&self, network: IpAddr) -> Option<Duration> {
        // Forget networks that have been quiet long enough to start afresh, now and then.
        if self.checked.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.posts.retain_recent();
            self.posts.shrink_to_fit();
        }
        self.posts
            .check_key(&network)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// Middleware: refuses a POST beyond the client network's rate with 429.
pub async fn rate(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // A request without a known peer (none in production) counts with all others alike.
    let network = client::client_addr(&parts, limits.state.config.trust_proxy)
        .map(client::network_of)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let Some(wait) = limits.wait(network) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    tracing::warn!(seconds, "POST rate limit reached; refused");
    let t = crate::i18n::Locale::Da.messages();
    let text = crate::i18n::fill(t.common.error_429_text, &[&t.common.duration(seconds)]);
    let routes = parts.extensions.get::<Arc<RouteTable>>();
    let mut response = error_pages::without_session(
        StatusCode::TOO_MANY_REQUESTS,
        parts.uri.path(),
        routes.map(|routes| &**routes),
        Some(text),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// Middleware: refuses a body larger than the route takes with 413, and reads a form's
/// body before anything below sees the request.
pub async fn body(
    State(limits): State<Limits>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let routes = request.extensions().get::<Arc<RouteTable>>().cloned();
    let path = request.uri().path().to_string();
    let upload = matched
        .as_ref()
        .zip(routes.as_ref())
        .and_then(|(path, routes)| routes.rule_for(request.method(), path.as_str()))
        .and_then(|rule| rule.upload_limit)
        // Only a session may send a file; whether it is a valid one is checked later.
        .filter(|_| has_session_cookie(&request, &limits));
    let limit = upload.unwrap_or(FORM_BODY);
    let too_large = || {
        tracing::info!(limit, "request body too large; refused");
        error_pages::without_session(
            StatusCode::PAYLOAD_TOO_LARGE,
            &path,
            routes.as_deref(),
            None,
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let body = if upload.is_some() {
        // Read as the handler goes; past the limit the body ends in an error.
        Body::new(http_body_util::Limited::new(body, limit))
    } else {
        match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => Body::from(bytes),
            Err(_) => return too_large(),
        }
    };
    next.run(Request::from_parts(parts, body)).await
}

fn has_session_cookie(request: &Request, limits: &Limits) -> bool {
    let name = crate::web::cookies::session_name(!limits.state.config.insecure_cookies);
    crate::web::cookies::get(request.headers(), name).is_some()
}
