//! Throttling of sign-in attempts by growing delays instead of a lock.
//!
//! Failures count in three ways, each over the last hour: for one account from one client
//! network (IPv4 address or IPv6 /64), for one account from anywhere, and from one network
//! for any account. Each count past its free allowance makes the next try wait 1 s,
//! doubling with every further failure, up to its cap. The cap for one account from
//! anywhere is low (a minute), so an attacker elsewhere slows the real user down but never
//! locks them out; the caps for the attacker's own network are high. A try refused for
//! coming too early is not counted, so it does not extend the wait. A success clears the
//! account's failures before it.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use time::OffsetDateTime;

use crate::db::TenantTx;

/// What was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A password; the account is the e-mail as typed (lower-cased).
    Password,
    /// A second-factor or recovery code; the account is the user's id.
    Code,
    /// A "forgot password" request; the account is the e-mail as typed.
    Reset,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Password => "password",
            Kind::Code => "code",
            Kind::Reset => "reset",
        }
    }
}

/// Free failures and the longest wait (seconds), for each way of counting.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub pair_free: i64,
    pub pair_cap: i64,
    pub account_free: i64,
    pub account_cap: i64,
    pub network_free: i64,
    pub network_cap: i64,
}

impl Limits {
    /// `network_free`: failures from one network (any account) before delays start; a
    /// town hall behind one address may need more (KORPS_LOGIN_LIMIT_PER_ADDRESS).
    pub fn for_kind(kind: Kind, network_free: i64) -> Limits {
        match kind {
            Kind::Password => Limits {
                pair_free: 3,
                pair_cap: 15 * 60,
                account_free: 10,
                account_cap: 60,
                network_free,
                network_cap: 15 * 60,
            },
            // Reached only with the right password: the account itself may wait longer.
            Kind::Code => Limits {
                pair_free: 3,
                pair_cap: 15 * 60,
                account_free: 5,
                account_cap: 5 * 60,
                network_free,
                network_cap: 15 * 60,
            },
            // Every request counts; the mails themselves are limited per account apart.
            Kind::Reset => Limits {
                pair_free: 5,
                pair_cap: 15 * 60,
                account_free: 10,
                account_cap: 60,
                network_free: 10,
                network_cap: 15 * 60,
            },
        }
    }
}

/// One way of counting: failures and when the last one was.
#[derive(Debug, Clone, Copy, Default)]
pub struct Count {
    pub failures: i64,
    pub last: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub pair: Count,
    pub account: Count,
    pub network: Count,
}

/// Seconds to wait after `failures` failures with `free` of them free: 0, then 1, 2, 4 …
/// up to `cap`.
pub fn delay(failures: i64, free: i64, cap: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(30) as u32;
    (1i64 << doublings).min(cap)
}

/// Seconds still to wait at `now`, 0 when a try may go ahead.
pub fn wait(counts: &Counts, limits: &Limits, now: OffsetDateTime) -> i64 {
    let remaining = |count: &Count, free: i64, cap: i64| -> i64 {
        let Some(last) = count.last else { return 0 };
        let ready = last + time::Duration::seconds(delay(count.failures, free, cap));
        ((ready - now).as_seconds_f64().ceil() as i64).max(0)
    };
    [
        remaining(&counts.pair, limits.pair_free, limits.pair_cap),
        remaining(&counts.account, limits.account_free, limits.account_cap),
        remaining(&counts.network, limits.network_free, limits.network_cap),
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
}

/// The counts for a try of `kind` on `account` from `network`.
pub async fn counts(
    tx: &mut TenantTx,
    kind: Kind,
    account: &str,
    network: Option<IpAddr>,
) -> Result<Counts, sqlx::Error> {
    let network = network.map(IpNetwork::from);
    let row = sqlx::query!(
        r#"WITH since AS (
             SELECT greatest(now() - interval '1 hour',
                             coalesce((SELECT max(at) FROM login_attempts
                                        WHERE kind = $1 AND account = $2 AND succeeded),
                                      '-infinity')) AS at
           )
           SELECT
             count(*) FILTER (WHERE account = $2 AND client_addr = $3 AND at > (SELECT at FROM since)) AS "pair!",
             max(at) FILTER (WHERE account = $2 AND client_addr = $3 AND at > (SELECT at FROM since)) AS pair_last,
             count(*) FILTER (WHERE account = $2 AND at > (SELECT at FROM since)) AS "account!",
             max(at) FILTER (WHERE account = $2 AND at > (SELECT at FROM since)) AS account_last,
             count(*) FILTER (WHERE $3::inet IS NOT NULL AND client_addr = $3) AS "network!",
             max(at) FILTER (WHERE $3::inet IS NOT NULL AND client_addr = $3) AS network_last
           FROM login_attempts
           WHERE kind = $1 AND NOT succeeded AND at > now() - interval '1 hour'
             AND (account = $2 OR client_addr = $3)"#,
        kind.code(),
        account,
        network
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(Counts {
        pair: Count {
            failures: row.pair,
            last: row.pair_last,
        },
        account: Count {
            failures: row.account,
            last: row.account_last,
        },
        network: Count {
            failures: row.network,
            last: row.network_last,
        },
    })
}

/// Records a try that was let through.
pub async fn record(
    tx: &mut TenantTx,
    kind: Kind,
    account: &str,
    network: Option<IpAddr>,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_attempts (id, kind, account, client_addr, succeeded)
         VALUES ($1, $2, $3, $4, $5)",
        uuid::Uuid::now_v7(),
        kind.code(),
        account,
        network.map(IpNetwork::from),
        succeeded
    )
    .execute(tx.conn())
    .await?;
    // Tries only count for an hour; a day is kept for investigation, no longer.
    sqlx::query!("DELETE FROM login_attempts WHERE at < now() - interval '1 day'")
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// How many "forgot password" requests an account had in the last hour (each may send a
/// mail; beyond a few, no more are sent, with the same answer).
pub async fn recent_requests(tx: &mut TenantTx, account: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM login_attempts
           WHERE kind = 'reset' AND account = $1 AND at > now() - interval '1 hour'"#,
        account
    )
    .fetch_one(tx.conn())
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-12-03 10:00 UTC);

    fn count(failures: i64, seconds_ago: i64) -> Count {
        Count {
            failures,
            last: Some(NOW - Duration::seconds(seconds_ago)),
        }
    }

    #[test]
    fn delays_start_after_the_free_tries_double_and_stop_at_the_cap() {
        let delays: Vec<i64> = (0..8).map(|n| delay(n, 3, 10)).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 10]);
        assert_eq!(delay(1_000, 3, 900), 900);
    }

    #[test]
    fn an_attacker_elsewhere_slows_the_account_by_a_minute_at_most() {
        let limits = Limits::for_kind(Kind::Password, 20);
        // A thousand failures on the account from the attacker's network, the last just now.
        let attacker = Counts {
            pair: count(1000, 0),
            account: count(1000, 0),
            network: count(1000, 0),
        };
        assert_eq!(wait(&attacker, &limits, NOW), 15 * 60);
        // The real user arrives from another network: only the account's count applies.
        let real_user = Counts {
            account: count(1000, 0),
            ..Counts::default()
        };
        assert_eq!(wait(&real_user, &limits, NOW), 60);
        let a_minute_later = Counts {
            account: count(1000, 60),
            ..Counts::default()
        };
        assert_eq!(wait(&a_minute_later, &limits, NOW), 0);
    }

    #[test]
    fn the_wait_counts_from_the_last_failure() {
        let limits = Limits::for_kind(Kind::Password, 20);
        let counts = Counts {
            pair: count(5, 1),
            ..Counts::default()
        };
        // Five failures: 4 s after the last one, which was 1 s ago.
        assert_eq!(wait(&counts, &limits, NOW), 3);
        assert_eq!(wait(&Counts::default(), &limits, NOW), 0);
    }
}
