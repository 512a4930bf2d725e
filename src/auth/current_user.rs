//! The signed-in user, resolved once per request from the session by `load_user`.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{repo, sessions};
use crate::db::{Scope, TenantTx};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::vocab::Role;
use crate::web::{SessionClock, Viewer, client, flash};

/// Sessions end 12 hours after login whatever the activity, and after
/// `KORPS_IDLE_TIMEOUT` idle seconds (30 minutes by default).
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;

pub const SESSION_KEY: &str = "auth";

/// How often activity is written back to the session (each write extends its expiry):
/// once a minute, more often for short idle timeouts.
pub fn touch_interval(idle_timeout: i64) -> i64 {
    (idle_timeout / 10).clamp(1, 60)
}

/// How long before the idle timeout the page warns: two minutes, less for short ones.
pub fn warn_before(idle_timeout: i64) -> i64 {
    (idle_timeout / 3).clamp(1, 120)
}

/// What the session remembers about the login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthState {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    /// The user's session generation at login (see `users.session_generation`).
    pub generation: i32,
    pub login_at: i64,
    pub last_seen: i64,
    /// The session's row in `user_sessions` (see `sessions`); made right after login.
    #[serde(default)]
    pub record: Option<Uuid>,
}

impl AuthState {
    /// Past the absolute or the idle limit. (The session store also drops sessions idle
    /// for longer than the idle limit; this check does not depend on it.)
    pub fn expired(&self, now: i64, idle_timeout: i64) -> bool {
        now - self.login_at > ABSOLUTE_TIMEOUT_SECS || now - self.last_seen > idle_timeout
    }

    /// How long the session has left, for the page's warning.
    fn clock(&self, user: Uuid, now: i64, idle_timeout: i64) -> SessionClock {
        SessionClock {
            user,
            idle_left: idle_timeout - (now - self.last_seen),
            absolute_left: ABSOLUTE_TIMEOUT_SECS - (now - self.login_at),
            idle_timeout,
            warn_before: warn_before(idle_timeout),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MunicipalityRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub locale: Locale,
    pub must_change_password: bool,
    pub membership_id: Uuid,
    pub roles: Vec<Role>,
    pub municipality: Option<MunicipalityRef>,
    /// Notices in the user's inbox not yet read (the bell in the header).
    pub unread_notices: i64,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The tenant scope this user's queries run in.
    pub fn scope(&self) -> Scope {
        match &self.municipality {
            Some(municipality) => Scope::Municipality {
                user_id: self.id,
                municipality_id: municipality.id,
            },
            None if self.has(Role::National) => Scope::National { user_id: self.id },
            None => Scope::User { user_id: self.id },
        }
    }

    /// What the layout shows of this user.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            name: self.name.clone(),
            municipality: self.municipality.as_ref().map(|m| m.name.clone()),
            roles: self.roles.clone(),
            locale: self.locale,
            must_change_password: self.must_change_password,
            unread_notices: self.unread_notices,
            session: None,
        }
    }

    pub fn municipality_id(&self) -> Option<Uuid> {
        self.municipality.as_ref().map(|m| m.id)
    }
}

/// Middleware: resolves the session's user, ends sessions that are too old, idle, logged
/// out elsewhere, of a deactivated user or from before a password change, and passes the
/// user on in the request's extensions, and what the layout needs of them as a `Viewer`
/// in the request's and the response's (the error pages read the latter). After the
/// handler it keeps the list of sessions in step: a session just started gets its row,
/// one just ended loses it.
pub async fn load_user(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let resolved = match resolve(&state, &session).await {
        Ok(resolved) => resolved,
        Err(err) => return err.into_response(),
    };
    let (mut parts, body) = request.into_parts();
    let network = client::client_addr(&parts, state.config.trust_proxy).map(client::network_of);
    let origin = sessions::Origin::of(&parts.headers, network);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let before = resolved.as_ref().map(|(_, auth)| auth.clone());
    let viewer = resolved.as_ref().map(|(user, auth)| Viewer {
        session: Some(auth.clock(user.id, now, state.config.idle_timeout)),
        ..user.viewer()
    });
    if let Some((user, _)) = resolved {
        parts.extensions.insert(user);
    }
    if let Some(viewer) = &viewer {
        parts.extensions.insert(viewer.clone());
    }
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if !response.status().is_server_error() {
        if let Err(err) = keep_the_list(&state, &session, before.as_ref(), &origin).await {
            return err.into_response();
        }
    }
    if let Some(viewer) = viewer {
        response.extensions_mut().insert(viewer);
    }
    response
}

async fn resolve(
    state: &AppState,
    session: &Session,
) -> Result<Option<(CurrentUser, AuthState)>, AppError> {
    let mut auth = match session.get::<AuthState>(SESSION_KEY).await {
        Ok(Some(auth)) => auth,
        Ok(None) => return Ok(None),
        // A session written by an older Korps: start again rather than fail every page.
        Err(tower_sessions::session::Error::SerdeJson(_)) => {
            end_session(session).await?;
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let idle_timeout = state.config.idle_timeout;
    if auth.expired(now, idle_timeout) {
        end_session(session).await?;
        flash::push(
            session,
            flash::Kind::Info,
            Locale::Da.messages().login.session_expired,
        )
        .await?;
        return Ok(None);
    }
    let mut tx = TenantTx::begin(
        &state.pool,
        Scope::User {
            user_id: auth.user_id,
        },
    )
    .await?;
    let found = repo::session_user(&mut tx, auth.user_id, auth.membership_id).await?;
    let Some(found) = found else {
        tx.commit().await?;
        end_session(session).await?;
        return Ok(None);
    };
    // Deactivation and password changes move the generation on: older sessions end.
    if !found.active || found.session_generation != auth.generation {
        tx.commit().await?;
        end_session(session).await?;
        return Ok(None);
    }
    let touch = now - auth.last_seen > touch_interval(idle_timeout);
    if let Some(record) = auth.record {
        let on = if touch {
            sessions::touch(&mut tx, record).await?
        } else {
            sessions::exists(&mut tx, record).await?
        };
        if !on {
            // Logged out from another session ("Log de andre ud").
            tx.commit().await?;
            end_session(session).await?;
            let t = found.user.locale.messages();
            flash::push(session, flash::Kind::Info, t.sessions.ended_elsewhere).await?;
            return Ok(None);
        }
    }
    tx.commit().await?;
    if touch {
        auth.last_seen = now;
        session.insert(SESSION_KEY, &auth).await?;
    }
    Ok(Some((found.user, auth)))
}

/// After a request: a session just signed in gets its row in the list (and the one it
/// replaces, after a password change, loses its), a session just ended loses its row, and
/// a visitor's session left empty (its last message shown) is deleted at once.
async fn keep_the_list(
    state: &AppState,
    session: &Session,
    before: Option<&AuthState>,
    origin: &sessions::Origin,
) -> Result<(), AppError> {
    // Read from memory: `resolve` has loaded the session already.
    let mut after = match session.get::<AuthState>(SESSION_KEY).await {
        Ok(after) => after,
        Err(tower_sessions::session::Error::SerdeJson(_)) => None,
        Err(err) => return Err(err.into()),
    };
    let ended = before.and_then(|before| {
        let kept = after.as_ref().and_then(|after| after.record);
        before
            .record
            .filter(|record| kept != Some(*record))
            .map(|record| (before.user_id, record))
    });
    if let Some((user_id, record)) = ended {
        let mut tx = TenantTx::begin(&state.pool, Scope::User { user_id }).await?;
        sessions::end(&mut tx, record).await?;
        tx.commit().await?;
    }
    if let Some(auth) = after.as_mut().filter(|auth| auth.record.is_none()) {
        let record = Uuid::now_v7();
        let started = OffsetDateTime::from_unix_timestamp(auth.login_at)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let scope = Scope::User {
            user_id: auth.user_id,
        };
        let mut tx = TenantTx::begin(&state.pool, scope).await?;
        sessions::create(
            &mut tx,
            record,
            auth.user_id,
            auth.generation,
            origin,
            started,
        )
        .await?;
        tx.commit().await?;
        auth.record = Some(record);
        session.insert(SESSION_KEY, &*auth).await?;
    }
    if session.id().is_some() && session.is_empty().await {
        session.delete().await?;
    }
    Ok(())
}

/// Starts the idle time again: the page's "Forbliv logget ind".
pub async fn stay_signed_in(state: &AppState, session: &Session) -> Result<(), AppError> {
    let Some(mut auth) = session.get::<AuthState>(SESSION_KEY).await? else {
        return Err(AppError::Forbidden);
    };
    auth.last_seen = OffsetDateTime::now_utc().unix_timestamp();
    session.insert(SESSION_KEY, &auth).await?;
    if let Some(record) = auth.record {
        let scope = Scope::User {
            user_id: auth.user_id,
        };
        let mut tx = TenantTx::begin(&state.pool, scope).await?;
        sessions::touch(&mut tx, record).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The row of this session in the list of the user's sessions, once it has one.
pub async fn session_record(session: &Session) -> Result<Option<Uuid>, AppError> {
    Ok(session
        .get::<AuthState>(SESSION_KEY)
        .await?
        .and_then(|auth| auth.record))
}

/// Ends the session on the server and forgets its id.
pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

/// `Option<CurrentUser>` works as an extractor through this impl on the marker below;
/// handlers behind `Access::SignedIn` or a role take `CurrentUser` directly.
impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // `authorize` has already refused anonymous requests on protected routes, so a
        // missing user here is a route wrongly marked public.
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or(AppError::Forbidden)
    }
}

/// The signed-in user if there is one, for public pages.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}

/// The request's tenant-scoped transaction, for the signed-in user's scope.
impl FromRequestParts<AppState> for TenantTx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        Ok(TenantTx::begin(&state.pool, user.scope()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(login_at: i64, last_seen: i64) -> AuthState {
        AuthState {
            user_id: Uuid::nil(),
            membership_id: Uuid::nil(),
            generation: 0,
            login_at,
            last_seen,
            record: None,
        }
    }

    const IDLE: i64 = 30 * 60;

    #[test]
    fn sessions_end_after_30_idle_minutes() {
        assert!(!state(0, 1000).expired(1000 + 30 * 60, IDLE));
        assert!(state(0, 1000).expired(1000 + 30 * 60 + 1, IDLE));
        assert!(
            state(0, 1000).expired(1000 + 11, 10),
            "the idle time is configurable"
        );
    }

    #[test]
    fn the_warning_comes_two_minutes_before_the_idle_timeout() {
        assert_eq!(warn_before(IDLE), 120);
        assert_eq!(touch_interval(IDLE), 60);
        let clock = state(0, 1000).clock(Uuid::nil(), 1100, IDLE);
        assert_eq!(clock.idle_left, IDLE - 100);
        assert_eq!(clock.absolute_left, 12 * 60 * 60 - 1100);
        // A short idle time for tests: the warning still comes before the end.
        assert!(warn_before(24) < 24 && touch_interval(24) < warn_before(24));
    }

    #[test]
    fn sessions_end_12_hours_after_login_however_active() {
        let login = 0;
        let twelve_hours = 12 * 60 * 60;
        assert!(!state(login, twelve_hours - 10).expired(twelve_hours, IDLE));
        assert!(state(login, twelve_hours).expired(twelve_hours + 1, IDLE));
    }
}
