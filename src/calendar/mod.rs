//! The member's private calendar feed: an ICS address with a secret token, made, replaced
//! and revoked on the account page, read by Outlook or Google Calendar without a session.
//! It carries the user's planned next meetings (the course named by its reference only),
//! their training modules and the corps' network meetings and advanced modules — never a
//! citizen. Only the token's SHA-256 is stored; the address is shown once.

pub mod ics;
mod repo;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use time::Duration;
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event};
use crate::auth::CurrentUser;
use crate::db::{Scope, TenantTx};
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, fill};
use crate::state::AppState;
use crate::training::model::EventKind;
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::flash;
use crate::web::forms::{self, Claim, Form};
use crate::web::routes::{Access, COURSE_WORK, Route};
use crate::{clock, courses};
use ics::{Item, When};

/// Where feeds are served; the request log shows this instead of the token.
pub const FEED_PREFIX: &str = "/kalender/";

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/kalender/{file}", Access::Public, feed),
        Route::post("/konto/kalender", COURSE_WORK, create),
        Route::post("/konto/kalender/slet", COURSE_WORK, revoke),
    ]
}

/// A new token: 32 random bytes as 64 hex digits.
fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The hash of the token in a feed's file name (`<64 hex digits>.ics`), if it is one.
fn token_hash_of(file: &str) -> Option<Vec<u8>> {
    let token = file.strip_suffix(".ics")?;
    let well_formed = token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then(|| hash(token))
}

/// The request log's form of a path: a feed's token is a password and is not logged.
pub fn logged_path(path: &str) -> &str {
    if path.starts_with(FEED_PREFIX) {
        "/kalender/…"
    } else {
        path
    }
}

/// The calendar section of the account page.
pub struct Status {
    /// The user works with courses or training (a member or a coordinator).
    pub offered: bool,
    /// When the feed was made (`None`: no feed).
    pub since: Option<String>,
    pub last_read: Option<String>,
    /// The feed's address, right after it was made, and only then.
    pub url: Option<String>,
    /// The one-time key of the form that makes a feed: a double click makes one.
    pub form_key: String,
}

/// What the account page shows of `user`'s feed; takes the address left by `create`.
pub async fn status(tx: &mut TenantTx, session: &Session, user: &CurrentUser) -> AppResult<Status> {
    let offered = COURSE_WORK.allows(Some(&user.roles));
    if !offered {
        return Ok(Status {
            offered,
            since: None,
            last_read: None,
            url: None,
            form_key: String::new(),
        });
    }
    let feed = repo::feed(tx, user.id).await?;
    let when = |at: time::OffsetDateTime| {
        let local = clock::to_danish(at);
        format!(
            "{} {:02}:{:02}",
            clock::format_date(local.date()),
            local.hour(),
            local.minute()
        )
    };
    let url = flash::take_secret(session, user.id).await?;
    Ok(Status {
        form_key: Uuid::new_v4().to_string(),
        offered,
        since: feed
            .as_ref()
            .map(|f| clock::format_date(clock::to_danish(f.created_at).date())),
        last_read: feed.as_ref().and_then(|f| f.last_read_at).map(when),
        url: url.filter(|_| feed.is_some()),
    })
}

/// Makes the user's feed, or replaces its token; the address is shown once, on the
/// account page after the redirect (kept in the session until then, never in a URL).
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
    Form(form): Form<forms::FormKey>,
) -> AppResult<Response> {
    // Sent twice (a double click), the second answer is the first's: one feed, whose
    // address the first answer left for the account page.
    if let Claim::Done(location) = forms::claim(&mut tx, form.form_key).await? {
        return Ok(Redirect::to(&location).into_response());
    }
    forms::complete(&mut tx, form.form_key, "/konto#kalender").await?;
    let token = new_token();
    repo::replace(&mut tx, user.id, &hash(&token)).await?;
    let url = format!("{}{FEED_PREFIX}{token}.ics", state.config.public_url());
    let done = Done::to("/konto#kalender")
        .audit(Event::new("calendar_link_created").subject("user", user.id))
        .said(page.t.calendar.calendar_created)
        .finish(tx, addr, &session)
        .await?;
    flash::put_secret(&session, user.id, &url).await?;
    Ok(done)
}

/// Revokes the user's feed: its address answers 404 from now on.
pub async fn revoke(
    user: CurrentUser,
    mut tx: TenantTx,
    addr: ClientAddr,
    session: Session,
    page: Page,
) -> AppResult<Response> {
    let mut done = Done::to("/konto#kalender").said(page.t.calendar.calendar_revoked);
    if repo::revoke(&mut tx, user.id).await? {
        done = done.audit(Event::new("calendar_link_revoked").subject("user", user.id));
    }
    done.finish(tx, addr, &session).await
}

/// How far back the feed reaches: recent past events stay visible for a while.
const PAST_DAYS: i64 = 30;

/// The feed itself (no session): an unknown, revoked or malformed token is a 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token_hash = token_hash_of(&file).ok_or(AppError::NotFound)?;
    let mut tx = TenantTx::begin(&state.pool, Scope::Anonymous).await?;
    let user_id = repo::feed_user(&mut tx, &token_hash)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;

    let mut tx = TenantTx::begin(&state.pool, Scope::User { user_id }).await?;
    repo::mark_read(&mut tx, user_id).await?;
    let (locale, municipalities) = repo::reader(&mut tx, user_id).await?;
    tx.commit().await?;
    let t = Locale::from_code(&locale).unwrap_or_default().messages();

    let now = clock::now();
    let since = now - Duration::days(PAST_DAYS);
    let mut items: Vec<Item> = Vec::new();
    for municipality_id in municipalities {
        let scope = Scope::Municipality {
            user_id,
            municipality_id,
        };
        let mut tx = TenantTx::begin(&state.pool, scope).await?;
        for m in repo::meetings(&mut tx, since).await? {
            items.push(Item {
                uid: format!("meeting-{}@korps", m.course_id),
                summary: fill(t.calendar.feed_meeting, &[&courses::reference(m.course_id)]),
                // The place is typed freely on the course page; a feed goes to calendar
                // services outside Korps, so it carries only when, never where.
                location: String::new(),
                when: When::Timed {
                    starts: m.starts,
                    ends: m.ends,
                },
            });
        }
        let days = [
            repo::modules(&mut tx, since.date()).await?,
            repo::corps_events(&mut tx, since.date()).await?,
        ];
        tx.commit().await?;
        for d in days.into_iter().flatten() {
            let (label, kind) = match d.event_kind {
                Some(EventKind::NetworkMeeting) => (t.calendar.feed_network_meeting, "event"),
                Some(EventKind::AdvancedModule) => (t.calendar.feed_advanced_module, "event"),
                None => (t.calendar.feed_module, "module"),
            };
            items.push(Item {
                uid: format!("{kind}-{}@korps", d.id),
                summary: fill(label, &[&d.title]),
                location: d.place,
                when: When::Days {
                    first: d.starts_on,
                    last: d.ends_on.unwrap_or(d.starts_on),
                },
            });
        }
    }
    // A corps event reaches a member of two municipalities twice: once is enough.
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| seen.insert(item.uid.clone()));
    let body = ics::calendar(t.calendar.feed_name, &items, now);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_64_hex_digits_and_only_its_hash_is_looked_up() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token());
        assert_eq!(token_hash_of(&format!("{token}.ics")), Some(hash(&token)));
        assert_eq!(hash(&token).len(), 32);
        assert_eq!(
            token_hash_of(&token),
            None,
            "the .ics is part of the address"
        );
        assert_eq!(token_hash_of(&format!("{}.ics", &token[1..])), None);
        assert_eq!(
            token_hash_of(&format!("{}.ics", token.to_uppercase())),
            None
        );
        assert_eq!(token_hash_of("../../etc/passwd.ics"), None);
    }

    #[test]
    fn the_request_log_never_shows_a_token() {
        assert_eq!(logged_path("/kalender/abc.ics"), "/kalender/…");
        assert_eq!(logged_path("/konto"), "/konto");
    }
}
