//! Links by mail to choose a password. A new account, a password reset by a coordinator
//! or national staff, and "forgot password" each send one: a random token in the link,
//! only its SHA-256 stored, single use, expiring. Nobody but the mailbox's owner ever sees
//! a credential — not the coordinator who created the account, not national staff.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::clock;
use crate::db::TenantTx;
use crate::i18n::{Locale, fill};
use crate::mail::{self, outbox};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account, or a reset by a coordinator or national staff: 72 hours.
    Setup,
    /// "Forgot password": one hour.
    Reset,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Reset => "reset",
        }
    }

    fn from_code(code: &str) -> Option<Purpose> {
        match code {
            "setup" => Some(Purpose::Setup),
            "reset" => Some(Purpose::Reset),
            _ => None,
        }
    }

    pub fn valid_hours(self) -> i32 {
        match self {
            Purpose::Setup => 72,
            Purpose::Reset => 1,
        }
    }

    /// The outbox kind of its mail.
    fn mail_kind(self) -> &'static str {
        match self {
            Purpose::Setup => "account_setup",
            Purpose::Reset => "account_reset",
        }
    }
}

/// The path a link opens; the token goes in the query, which request logs leave out.
pub const PATH: &str = "/adgang";

/// The person a link goes to.
pub struct Addressee<'a> {
    pub user_id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub locale: Locale,
}

/// 32 random bytes as 64 hex digits.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// Ends the user's earlier links and mails them a new one. In the caller's transaction:
/// the mail leaves only if it commits.
pub async fn send(
    tx: &mut TenantTx,
    to: &Addressee<'_>,
    purpose: Purpose,
) -> Result<(), sqlx::Error> {
    revoke(tx, to.user_id).await?;
    let token = new_token();
    let expires: OffsetDateTime = sqlx::query_scalar!(
        "INSERT INTO account_links (id, user_id, purpose, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))
         RETURNING expires_at",
        Uuid::now_v7(),
        to.user_id,
        purpose.code(),
        token_hash(&token),
        purpose.valid_hours()
    )
    .fetch_one(tx.conn())
    .await?;
    let t = to.locale.messages();
    let l = &t.login;
    let (subject, intro) = match purpose {
        Purpose::Setup => (l.setup_mail_subject, l.setup_mail_intro),
        Purpose::Reset => (l.reset_mail_subject, l.reset_mail_intro),
    };
    let body = format!(
        "{greeting}\n\n{intro}\n\n{base}{PATH}?token={token}\n\n{expiry}\n\n{unexpected}\n\n{sign_off}\n",
        greeting = fill(t.mail.greeting, &[to.name]),
        base = mail::BASE,
        expiry = fill(l.link_mail_expiry, &[&clock::format_datetime(expires)]),
        unexpected = l.link_mail_unexpected,
        sign_off = t.mail.sign_off,
    );
    outbox::queue(
        tx,
        &outbox::Outgoing {
            kind: purpose.mail_kind(),
            user_id: Some(to.user_id),
            to_address: to.email,
            to_name: to.name,
            subject: &mail::subject(t, subject),
            body: &body,
        },
    )
    .await
}

/// Ends every unused link of the user (a new one was sent, or the account was set up).
pub async fn revoke(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE account_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A link as found by its token.
pub struct Link {
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// Not used, not expired, and the account is active.
    pub usable: bool,
}

/// The link a token belongs to, if any (works before anyone is signed in).
pub async fn find(tx: &mut TenantTx, token: &str) -> Result<Option<Link>, sqlx::Error> {
    if token.trim().is_empty() {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"SELECT link_id AS "link_id!", user_id AS "user_id!", purpose AS "purpose!", usable AS "usable!"
           FROM account_link($1)"#,
        token_hash(token)
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.and_then(|row| {
        Some(Link {
            id: row.link_id,
            user_id: row.user_id,
            purpose: Purpose::from_code(&row.purpose)?,
            usable: row.usable,
        })
    }))
}

/// Uses the link up (in the link owner's scope). False when it was used or expired in
/// the meantime — a second submit of the same form, say.
pub async fn take(tx: &mut TenantTx, link_id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE account_links SET used_at = now()
         WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
        link_id
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 32);
        assert_eq!(token_hash(&a), token_hash(&format!(" {a}\n")));
    }

    #[test]
    fn setup_links_last_72_hours_and_reset_links_one() {
        assert_eq!(Purpose::Setup.valid_hours(), 72);
        assert_eq!(Purpose::Reset.valid_hours(), 1);
    }
}
