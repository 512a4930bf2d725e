//! Where a user is logged in: one `user_sessions` row per signed-in session, made right
//! after login (`load_user`), touched with the session's activity, and gone when the
//! session ends. A session whose row has gone ("Log de andre ud") ends at its next
//! request. Password changes, second-factor resets and deactivations move the user's
//! session generation on, which ends every session; the list shows only rows of the
//! current generation, and the background worker deletes the rest (`purge`).

use std::net::IpAddr;

use axum::http::{HeaderMap, header};
use sqlx::PgPool;
use sqlx::types::ipnetwork::IpNetwork;
use time::OffsetDateTime;
use uuid::Uuid;

use super::current_user::{ABSOLUTE_TIMEOUT_SECS, touch_interval};
use crate::db::{Scope, TenantTx};

/// Where a session was started from, in the few words the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub browser: &'static str,
    pub platform: &'static str,
    /// The client's network (`web::client::network_of`).
    pub network: Option<IpAddr>,
}

impl Origin {
    pub fn of(headers: &HeaderMap, network: Option<IpAddr>) -> Origin {
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Origin {
            browser: browser_of(agent),
            platform: platform_of(agent),
            network,
        }
    }
}

/// The browser's name from a User-Agent, or "" when it is none we know. Order matters:
/// Edge and Opera also say Chrome, and Chrome also says Safari.
pub fn browser_of(agent: &str) -> &'static str {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    BROWSERS
        .iter()
        .find(|(mark, _)| agent.contains(mark))
        .map_or("", |(_, name)| name)
}

/// The operating system's name from a User-Agent, or "". iPhones and iPads also say
/// "Mac OS X", and Android also says Linux.
pub fn platform_of(agent: &str) -> &'static str {
    const PLATFORMS: &[(&str, &str)] = &[
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    PLATFORMS
        .iter()
        .find(|(mark, _)| agent.contains(mark))
        .map_or("", |(_, name)| name)
}

fn network(addr: Option<IpAddr>) -> Option<IpNetwork> {
    addr.and_then(|addr| match addr {
        IpAddr::V4(_) => Some(IpNetwork::from(addr)),
        IpAddr::V6(_) => IpNetwork::new(addr, 64).ok(),
    })
}

/// Records the session `id` of `user_id`, started at `started_at` (the login).
pub async fn create(
    tx: &mut TenantTx,
    id: Uuid,
    user_id: Uuid,
    generation: i32,
    origin: &Origin,
    started_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO user_sessions (id, user_id, generation, browser, platform, network, started_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())",
        id,
        user_id,
        generation,
        origin.browser,
        origin.platform,
        network(origin.network),
        started_at
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whether the session `id` still has its row (it has not been logged out elsewhere).
pub async fn exists(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!("SELECT 1 AS one FROM user_sessions WHERE id = $1", id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(found.is_some())
}

/// Notes activity on the session `id`; false when its row is gone.
pub async fn touch(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let touched = sqlx::query!(
        "UPDATE user_sessions SET last_seen_at = now() WHERE id = $1",
        id
    )
    .execute(tx.conn())
    .await?;
    Ok(touched.rows_affected() > 0)
}

/// Forgets the session `id` (it has ended).
pub async fn end(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM user_sessions WHERE id = $1", id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of `user_id` but `keep`; how many there were.
pub async fn end_others(tx: &mut TenantTx, user_id: Uuid, keep: Uuid) -> Result<u64, sqlx::Error> {
    let ended = sqlx::query!(
        "DELETE FROM user_sessions WHERE user_id = $1 AND id <> $2",
        user_id,
        keep
    )
    .execute(tx.conn())
    .await?;
    Ok(ended.rows_affected())
}

/// One session in the list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub browser: String,
    pub platform: String,
    pub network: Option<IpNetwork>,
    pub started_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// The sessions of `user_id` that are still on: of the current generation, not past
/// the idle or the absolute limit. Last active first.
pub async fn list(
    tx: &mut TenantTx,
    user_id: Uuid,
    idle_timeout: i64,
) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        "SELECT s.id, s.browser, s.platform, s.network, s.started_at, s.last_seen_at
         FROM user_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = $1 AND u.active AND s.generation = u.session_generation
           AND s.last_seen_at > now() - make_interval(secs => $2)
           AND s.started_at > now() - make_interval(secs => $3)
         ORDER BY s.last_seen_at DESC, s.started_at DESC",
        user_id,
        lag_allowed(idle_timeout),
        ABSOLUTE_TIMEOUT_SECS as f64
    )
    .fetch_all(tx.conn())
    .await
}

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Session rows of tower-sessions past their expiry (signed in or not).
    pub expired: u64,
    /// `user_sessions` rows of sessions that have ended.
    pub ended: u64,
}

/// Deletes what is left of ended sessions: the session store's rows past their expiry
/// (visitors' leftovers too), and the list's rows of sessions past a limit or of an old
/// generation.
pub async fn purge(pool: &PgPool, idle_timeout: i64) -> Result<Purged, sqlx::Error> {
    let expired = sqlx::query!("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
        .execute(pool)
        .await?
        .rows_affected();
    let mut tx = TenantTx::begin(pool, Scope::Job).await?;
    let ended = sqlx::query_scalar!(
        r#"SELECT purge_ended_sessions($1, $2) AS "ended!""#,
        lag_allowed(idle_timeout),
        ABSOLUTE_TIMEOUT_SECS as f64
    )
    .fetch_one(tx.conn())
    .await?
    .max(0) as u64;
    tx.commit().await?;
    Ok(Purged { expired, ended })
}

/// Seconds after its row's last touch that a session may still be on: the idle timeout
/// plus the longest time between touches.
fn lag_allowed(idle_timeout: i64) -> f64 {
    (idle_timeout + touch_interval(idle_timeout)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_in_short() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
                "Edge",
                "Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Safari",
                "macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1",
                "Chrome",
                "iPhone",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
                "Firefox",
                "Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
                "Chrome",
                "Android",
            ),
            ("curl/8.5.0", "", ""),
        ];
        for (agent, browser, platform) in cases {
            assert_eq!(browser_of(agent), browser, "{agent}");
            assert_eq!(platform_of(agent), platform, "{agent}");
        }
    }

    #[test]
    fn an_ipv6_network_is_kept_as_its_64() {
        let v6: IpAddr = "2001:db8:1:2::".parse().unwrap();
        assert_eq!(network(Some(v6)).unwrap().prefix(), 64);
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(network(Some(v4)).unwrap().prefix(), 32);
    }
}
