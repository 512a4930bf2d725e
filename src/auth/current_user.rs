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

use super::repo;
use crate::db::{Scope, TenantTx};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::vocab::Role;
use crate::web::{Viewer, flash};

/// Sessions end 12 hours after login whatever the activity, and after 30 idle minutes.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// How often activity is written back to the session (each write extends its expiry).
const TOUCH_INTERVAL_SECS: i64 = 60;

pub const SESSION_KEY: &str = "auth";

/// What the session remembers about the login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthState {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    /// The user's session generation at login (see `users.session_generation`).
    pub generation: i32,
    pub login_at: i64,
    pub last_seen: i64,
}

impl AuthState {
    /// Past the absolute or the idle limit. (The session store also drops sessions idle
    /// for longer than the idle limit; this check does not depend on it.)
    pub fn expired(&self, now: i64) -> bool {
        now - self.login_at > ABSOLUTE_TIMEOUT_SECS || now - self.last_seen > IDLE_TIMEOUT_SECS
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
        }
    }

    pub fn municipality_id(&self) -> Option<Uuid> {
        self.municipality.as_ref().map(|m| m.id)
    }
}

/// Middleware: resolves the session's user, ends sessions that are too old, idle, of a
/// deactivated user or from before a password change, and passes the user on in the
/// request's extensions, and what the layout needs of them as a `Viewer` in the request's
/// and the response's (the error pages read the latter).
pub async fn load_user(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let user = match resolve(&state, &session).await {
        Ok(user) => user,
        Err(err) => return err.into_response(),
    };
    let viewer = user.as_ref().map(CurrentUser::viewer);
    if let Some(user) = user {
        request.extensions_mut().insert(user);
    }
    if let Some(viewer) = &viewer {
        request.extensions_mut().insert(viewer.clone());
    }
    let mut response = next.run(request).await;
    if let Some(viewer) = viewer {
        response.extensions_mut().insert(viewer);
    }
    response
}

async fn resolve(state: &AppState, session: &Session) -> Result<Option<CurrentUser>, AppError> {
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
    if auth.expired(now) {
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
    tx.commit().await?;
    let Some(found) = found else {
        end_session(session).await?;
        return Ok(None);
    };
    // Deactivation and password changes move the generation on: older sessions end.
    if !found.active || found.session_generation != auth.generation {
        end_session(session).await?;
        return Ok(None);
    }
    if now - auth.last_seen > TOUCH_INTERVAL_SECS {
        auth.last_seen = now;
        session.insert(SESSION_KEY, &auth).await?;
    }
    Ok(Some(found.user))
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
        }
    }

    #[test]
    fn sessions_end_after_30_idle_minutes() {
        assert!(!state(0, 1000).expired(1000 + 30 * 60));
        assert!(state(0, 1000).expired(1000 + 30 * 60 + 1));
    }

    #[test]
    fn sessions_end_12_hours_after_login_however_active() {
        let login = 0;
        let twelve_hours = 12 * 60 * 60;
        assert!(!state(login, twelve_hours - 10).expired(twelve_hours));
        assert!(state(login, twelve_hours).expired(twelve_hours + 1));
    }
}
