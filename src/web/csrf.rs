//! Cross-site request forgery protection, two ways at once: every state-changing request
//! must come from our own origin (`Sec-Fetch-Site` / `Origin`), and must carry the
//! session's secret token in the form field `csrf_token`. Anything else gets 403.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
/// Largest form body read here; file uploads get their own limit where they are accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(token);
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

/// Middleware: checks every request that is not GET/HEAD/OPTIONS.
pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), state.config.trust_proxy) {
        tracing::warn!("state-changing request from another origin refused");
        return AppError::Forbidden.into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::error::error_page(axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    };
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            tracing::info!("state-changing request without a session token refused");
            return AppError::Forbidden.into_response();
        }
        Err(err) => return AppError::from(err).into_response(),
    };
    let sent = submitted_token(&parts.headers, &bytes);
    let valid = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())));
    if !valid {
        tracing::info!("state-changing request with a missing or wrong CSRF token refused");
        return AppError::Forbidden.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// `Sec-Fetch-Site: same-origin` from browsers that send it; otherwise an `Origin` whose
/// host matches the request's `Host`. A request with neither is refused.
fn same_origin(headers: &HeaderMap, trust_proxy: bool) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = if trust_proxy {
        headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
    } else {
        headers.get(header::HOST)
    };
    let Some(host) = host.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

fn submitted_token(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded_pairs(body)
            .into_iter()
            .find(|(key, _)| key == FIELD)
            .map(|(_, value)| value);
    }
    if content_type.starts_with("multipart/form-data") {
        // Our multipart forms put the token first; find that part without parsing files.
        let marker = format!("name=\"{FIELD}\"\r\n\r\n");
        let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
        let start = text.find(&marker)? + marker.len();
        let rest = &text[start..];
        return Some(rest[..rest.find("\r\n")?].to_string());
    }
    None
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn same_origin_accepts_own_origin_and_fetch_metadata() {
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            false
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080")
            ]),
            false
        ));
    }

    #[test]
    fn same_origin_refuses_other_sites_and_missing_headers() {
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            false
        ));
        assert!(!same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "localhost:8080")
            ]),
            false
        ));
        assert!(!same_origin(&headers(&[("host", "localhost:8080")]), false));
    }

    #[test]
    fn token_is_read_from_forms_and_multipart() {
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        assert_eq!(
            submitted_token(&form, &Bytes::from_static(b"a=1&csrf_token=abc")),
            Some("abc".into())
        );
        let multipart = headers(&[("content-type", "multipart/form-data; boundary=x")]);
        let body = Bytes::from_static(
            b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n--x--",
        );
        assert_eq!(submitted_token(&multipart, &body), Some("abc".into()));
    }
}
