//! Known devices: a browser that completed a login gets a long-lived random cookie, of
//! which the database keeps the SHA-256 per user. At the next login from it, the delay that
//! counts the account's failures from every network does not apply (OWASP's "device
//! cookies"), so an attacker who keeps failing from elsewhere cannot keep the real user out.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::TenantTx;

/// The cookie's name (`__Host-` where the cookie is `Secure`, so no subdomain can set it).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-korps_device"
    } else {
        "korps_device"
    }
}

/// How long a browser stays known without a login.
const KEEP_DAYS: i64 = 180;
/// The devices kept per user; older ones are forgotten.
const KEEP_PER_USER: i64 = 10;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The device token the request carries, if any.
pub fn token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && value.len() == 64)
        .map(|(_, value)| value.to_string())
}

/// Whether `token` is a known device of the user (in the user's scope).
pub async fn known(tx: &mut TenantTx, user_id: Uuid, token: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM known_devices
                          WHERE user_id = $1 AND token_hash = $2
                            AND last_used_at > now() - make_interval(days => $3)) AS "known!""#,
        user_id,
        hash(token),
        KEEP_DAYS as i32
    )
    .fetch_one(tx.conn())
    .await
}

/// Remembers the browser after a completed login: the token it already had, or a new
/// one. Returns the token for the cookie.
pub async fn remember(
    tx: &mut TenantTx,
    user_id: Uuid,
    had: Option<String>,
) -> Result<String, sqlx::Error> {
    let token = match had {
        Some(token) if known(tx, user_id, &token).await? => token,
        _ => {
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
    };
    sqlx::query!(
        "INSERT INTO known_devices (id, user_id, token_hash) VALUES ($1, $2, $3)
         ON CONFLICT (token_hash) DO UPDATE SET last_used_at = now()",
        Uuid::now_v7(),
        user_id,
        hash(&token)
    )
    .execute(tx.conn())
    .await?;
    sqlx::query!(
        "DELETE FROM known_devices WHERE user_id = $1 AND id NOT IN (
           SELECT id FROM known_devices WHERE user_id = $1
           ORDER BY last_used_at DESC LIMIT $2)",
        user_id,
        KEEP_PER_USER
    )
    .execute(tx.conn())
    .await?;
    Ok(token)
}

/// Adds the cookie to a response.
pub fn set_cookie(response: &mut Response, token: &str, secure: bool) {
    let cookie = format!(
        "{}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        cookie_name(secure),
        KEEP_DAYS * 24 * 60 * 60,
        if secure { "; Secure" } else { "" }
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_the_cookie_header() {
        let token = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; korps_device={token}; y=2")).unwrap(),
        );
        assert_eq!(super::token(&headers, false), Some(token.clone()));
        assert_eq!(
            super::token(&headers, true),
            None,
            "__Host- name when secure"
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("korps_device=short"),
        );
        assert_eq!(super::token(&headers, false), None);
    }
}
