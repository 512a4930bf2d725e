//! Cross-site request forgery protection, two ways at once: every state-changing request
//! must come from our own origin (`Sec-Fetch-Site` / `Origin`), and must carry a secret
//! token in the form field `csrf_token`. Anything else gets 403.
//!
//! The token is the signed-in session's own secret, made at login (`issue`). A visitor
//! without a session (the login page) gets a signed double-submit token instead: a random
//! value in the cookie `__Host-korps_csrf`, and in the form its HMAC under a key kept in
//! the database (`server_keys`). Showing a form to a visitor thus stores nothing, and a
//! token fits only the browser whose cookie it was made from.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::OnceCell;
use tower_sessions::Session;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::routes::RouteTable;
use crate::web::{cookies, error_pages, limits};

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
/// How far into a multipart body the token is looked for (our forms put it first).
const MULTIPART_PREFIX: usize = 4096;

/// The visitor's token, which `visitor` puts into the request for the page's forms.
#[derive(Debug, Clone)]
pub struct VisitorToken(pub String);

/// A new random secret: 32 bytes, hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Gives a signed-in session its own token (at login, replacing any seen before).
pub async fn issue(session: &Session) -> Result<(), AppError> {
    session.insert(SESSION_KEY, random_hex()).await?;
    Ok(())
}

/// The session's own token, if it has one.
pub async fn session_token(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<String>(SESSION_KEY).await?)
}

/// The token for the forms of this request's page: the session's, else the visitor's.
/// Never writes anything.
pub async fn token(
    session: &Session,
    extensions: &axum::http::Extensions,
) -> Result<String, AppError> {
    if let Some(token) = session_token(session).await? {
        return Ok(token);
    }
    Ok(extensions
        .get::<VisitorToken>()
        .map(|token| token.0.clone())
        .unwrap_or_default())
}

/// The visitor tokens' key, read from the database once per instance.
#[derive(Clone)]
pub struct Csrf {
    state: AppState,
    key: Arc<OnceCell<Vec<u8>>>,
}

impl Csrf {
    pub fn new(state: AppState) -> Csrf {
        Csrf {
            state,
            key: Arc::new(OnceCell::new()),
        }
    }

    async fn key(&self) -> Result<&[u8], sqlx::Error> {
        let key = self
            .key
            .get_or_try_init(|| async {
                sqlx::query_scalar!("SELECT key FROM server_keys WHERE purpose = 'anonymous_csrf'")
                    .fetch_one(&self.state.pool)
                    .await
            })
            .await?;
        Ok(key)
    }
}

/// The visitor token of the cookie value `nonce`.
fn sign(key: &[u8], nonce: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"korps anonymous csrf:");
    mac.update(nonce.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_nonce(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Middleware, before the session is read: refuses a state-changing request from another
/// origin, gives the visitor the cookie, and the request the visitor's token.
pub async fn visitor(State(csrf): State<Csrf>, mut request: Request, next: Next) -> Response {
    let config = &csrf.state.config;
    if state_changing(request.method()) && !same_origin(request.headers(), config.trust_proxy) {
        tracing::warn!("state-changing request from another origin refused");
        let routes = request.extensions().get::<Arc<RouteTable>>().cloned();
        return error_pages::without_session(
            StatusCode::FORBIDDEN,
            request.uri().path(),
            routes.as_deref(),
            None,
        );
    }
    let secure = !config.insecure_cookies;
    let name = cookies::csrf_name(secure);
    let existing = cookies::get(request.headers(), name)
        .filter(|value| is_nonce(value))
        .map(str::to_string);
    let nonce = existing.clone().unwrap_or_else(random_hex);
    match csrf.key().await {
        Ok(key) => {
            let token = VisitorToken(sign(key, &nonce));
            request.extensions_mut().insert(token);
        }
        // Pages still show; a visitor's form posted now is refused (no token to match).
        Err(err) => tracing::warn!(error = %err, "the CSRF key could not be read"),
    }
    let mut response = next.run(request).await;
    if existing.is_none() {
        // A browser-session cookie: gone when the browser closes.
        let attributes = if secure {
            "Path=/; HttpOnly; SameSite=Lax; Secure"
        } else {
            "Path=/; HttpOnly; SameSite=Lax"
        };
        if let Ok(value) = HeaderValue::from_str(&format!("{name}={nonce}; {attributes}")) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Middleware, after the session is read: a state-changing request must carry the
/// session's token, or without a session the visitor's.
pub async fn verify(session: Session, request: Request, next: Next) -> Response {
    if !state_changing(request.method()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let (sent, body) = match submitted_token(&parts.headers, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let expected = match session_token(&session).await {
        Ok(Some(token)) => Some(token),
        Ok(None) => parts
            .extensions
            .get::<VisitorToken>()
            .map(|token| token.0.clone()),
        Err(err) => return err.into_response(),
    };
    let valid = match (sent, expected) {
        (Some(sent), Some(expected)) => bool::from(sent.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    };
    if !valid {
        tracing::info!("state-changing request with a missing or wrong CSRF token refused");
        return AppError::Forbidden.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
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

/// The token in the body, and the body to pass on. A form's body is small (see
/// `web::limits`) and read whole; of a multipart body (a file) only the start is read.
async fn submitted_token(
    headers: &HeaderMap,
    body: Body,
) -> Result<(Option<String>, Body), Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let too_large = || crate::error::error_page(StatusCode::PAYLOAD_TOO_LARGE);
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = axum::body::to_bytes(body, limits::FORM_BODY)
            .await
            .map_err(|_| too_large())?;
        let token = form_token(&bytes);
        return Ok((token, Body::from(bytes)));
    }
    if content_type.starts_with("multipart/form-data") {
        let mut body = body;
        let mut start = Vec::new();
        let mut ended = false;
        while start.len() < MULTIPART_PREFIX {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        start.extend_from_slice(&data);
                    }
                }
                Some(Err(_)) => return Err(too_large()),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        let token = multipart_token(&start);
        let start = Bytes::from(start);
        let body = if ended {
            Body::from(start)
        } else {
            let first = futures_util::stream::iter([Ok::<_, axum::Error>(start)]);
            Body::from_stream(first.chain(body.into_data_stream()))
        };
        return Ok((token, body));
    }
    Ok((None, body))
}

fn form_token(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value)
}

/// Our multipart forms put the token first; find that part without parsing files.
fn multipart_token(start: &[u8]) -> Option<String> {
    let marker = format!("name=\"{FIELD}\"\r\n\r\n");
    let text = String::from_utf8_lossy(&start[..start.len().min(MULTIPART_PREFIX)]);
    let at = text.find(&marker)? + marker.len();
    let rest = &text[at..];
    Some(rest[..rest.find("\r\n")?].to_string())
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

    #[tokio::test]
    async fn token_is_read_from_forms_and_multipart_and_the_body_passed_on() {
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        let (token, body) = submitted_token(&form, Body::from("a=1&csrf_token=abc"))
            .await
            .unwrap();
        assert_eq!(token, Some("abc".into()));
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(&bytes[..], b"a=1&csrf_token=abc");

        let multipart = headers(&[("content-type", "multipart/form-data; boundary=x")]);
        let mut sent =
            b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n".to_vec();
        sent.extend(std::iter::repeat_n(b'f', 100_000));
        let chunks: Vec<Result<Bytes, std::io::Error>> = sent
            .chunks(1000)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let (token, body) = submitted_token(&multipart, body).await.unwrap();
        assert_eq!(token, Some("abc".into()));
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(&bytes[..], &sent[..], "the whole body reaches the handler");
    }

    #[test]
    fn a_visitor_token_fits_only_its_own_cookie_and_key() {
        let nonce = random_hex();
        assert!(is_nonce(&nonce));
        let token = sign(b"key one, thirty-two bytes long..", &nonce);
        assert_eq!(token, sign(b"key one, thirty-two bytes long..", &nonce));
        assert_ne!(token, sign(b"key two, thirty-two bytes long..", &nonce));
        assert_ne!(
            token,
            sign(b"key one, thirty-two bytes long..", &random_hex())
        );
        assert_ne!(token, nonce, "the cookie alone is not the token");
    }
}
