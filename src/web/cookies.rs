//! The names of Korps' cookies, and reading one from a request.
//!
//! Served over HTTPS (the default), the names carry the `__Host-` prefix: the browser
//! then takes the cookie only when it is `Secure`, has `Path=/` and no `Domain`, so no
//! other site on a sub- or sibling domain can set or replace it. With
//! `KORPS_INSECURE_COOKIES=1` (plain HTTP on localhost) the cookies cannot be `Secure`,
//! and browsers refuse a `__Host-` cookie without it, so the names are plain.

use axum::http::{HeaderMap, header};

/// The session cookie (tower-sessions).
pub fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-korps_session"
    } else {
        "korps_session"
    }
}

/// The visitor's CSRF cookie (`web::csrf`).
pub fn csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-korps_csrf"
    } else {
        "korps_csrf"
    }
}

/// The value of the cookie `name` in the request's `Cookie` headers.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_cookie_is_found_by_its_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("korps_csrf=plain; __Host-korps_csrf=prefixed"),
        );
        assert_eq!(get(&headers, csrf_name(true)), Some("prefixed"));
        assert_eq!(get(&headers, csrf_name(false)), Some("plain"));
        assert_eq!(get(&headers, "csrf"), None);
    }
}
