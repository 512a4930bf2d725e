//! Mail and notices: how Korps reaches people who are not logged in.
//!
//! An event (a course assigned, a loan answered, an application decided, a round opening)
//! calls [`tell`] inside its own transaction: each recipient gets a notice in their inbox,
//! and a mail is queued in the outbox unless they turned that kind off. The background
//! worker ([`Sender`]) sends the outbox. Nothing here ever holds citizen data: a notice
//! keeps its kind, a link and harmless parameters; a mail holds counts, the recipient's own
//! name and a link into Korps (the login comes first).

pub mod notices;
pub mod outbox;
pub mod preferences;
mod sender;
mod transport;

pub use notices::{Notice, NoticeKind, Recipient, tell};
pub use outbox::Outgoing;
pub use sender::{MAX_ATTEMPTS, Sender, retry_after};

use crate::i18n::{Messages, fill};

/// Links in mails start with this placeholder; the sender puts Korps' public address
/// there (`KORPS_PUBLIC_URL`), so a queued mail does not depend on the request it came from.
pub const BASE: &str = "{korps}";

/// Takes `key` (a reminder, a round's opening) for this transaction; false when another
/// transaction already did, so the same thing is never told twice.
pub async fn claim(tx: &mut crate::db::TenantTx, key: &str) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO mail_runs (key) VALUES ($1) ON CONFLICT (key) DO NOTHING",
        key
    )
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The text of a mail: greeting, lines, a link into Korps, why they get it, sign-off.
pub fn letter(t: &'static Messages, name: &str, lines: &[String], path: &str) -> String {
    let mut body = fill(t.mail.greeting, &[name]);
    body.push_str("\n\n");
    for line in lines {
        body.push_str(line);
        body.push('\n');
    }
    body.push('\n');
    body.push_str(t.mail.open_in_korps);
    body.push('\n');
    body.push_str(BASE);
    body.push_str(path);
    body.push_str("\n\n");
    body.push_str(t.mail.why_you_get_this);
    body.push('\n');
    body.push_str(BASE);
    body.push_str("/konto\n\n");
    body.push_str(t.mail.sign_off);
    body.push('\n');
    body
}

/// "Korps: <text>", the subject of a mail.
pub fn subject(t: &'static Messages, text: &str) -> String {
    let subject = format!("{}: {text}", t.mail.subject_prefix);
    // A subject is one line of at most 200 characters (the outbox refuses longer ones).
    subject
        .replace(['\r', '\n'], " ")
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_letter_greets_links_and_explains() {
        let t = Locale::Da.messages();
        let body = letter(t, "Mette", &["Linje".into()], "/beskeder");
        assert!(body.starts_with("Kære Mette\n\nLinje\n"));
        assert!(body.contains("{korps}/beskeder"));
        assert!(body.contains("{korps}/konto"));
    }

    #[test]
    fn a_subject_is_one_short_line() {
        let t = Locale::Da.messages();
        let long = "x\r\n".repeat(200);
        let s = subject(t, &long);
        assert!(!s.contains('\n') && s.chars().count() <= 200);
    }
}
