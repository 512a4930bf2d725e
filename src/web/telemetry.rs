//! Per request: its id made known to whatever renders an error page (`request_id`), and
//! its method, route template, status and time counted for `/metrics`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served (`x-request-id`), as the logs name it.
pub fn request_id() -> Option<String> {
    REQUEST_ID
        .try_with(Clone::clone)
        .ok()
        .filter(|id| !id.is_empty())
}

/// The id the request-id layer gave a request ("" before it).
pub fn id_of<B>(request: &axum::http::Request<B>) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Middleware, before the layer that gives each request its id: drops an id the client sent.
pub async fn forget_client_request_id(mut request: Request, next: Next) -> Response {
    request.headers_mut().remove("x-request-id");
    next.run(request).await
}

/// Middleware, inside the layer that gives each request its id.
pub async fn observe(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let id = id_of(&request);
    let method = request.method().clone();
    let started = Instant::now();
    let response = REQUEST_ID.scope(id, next.run(request)).await;
    crate::metrics::record_request(
        method.as_str(),
        matched.as_ref().map(MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
