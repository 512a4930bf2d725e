//! Sessions, the signed-in user and the access check; passwords, the second factor,
//! links to choose a password, and throttling. The login pages that use them are the
//! `login` feature.

pub mod access;
mod current_user;
pub mod devices;
pub mod links;
pub mod password;
pub mod repo;
pub mod second_factor;
pub mod sessions;
pub mod throttle;
pub mod totp;

use time::OffsetDateTime;
use tower_sessions::Session;

pub use current_user::{
    AuthState, CurrentUser, MaybeUser, MunicipalityRef, end_session, load_user, session_record,
    stay_signed_in,
};

use crate::error::AppResult;

/// Starts (or restarts) the signed-in session under a new id, so an id planted or seen
/// before is worth nothing.
pub async fn start_session(
    session: &Session,
    user_id: uuid::Uuid,
    membership_id: uuid::Uuid,
    generation: i32,
) -> AppResult<()> {
    session.cycle_id().await?;
    // A token seen before login is worth nothing after it: the session gets its own.
    crate::web::csrf::issue(session).await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let auth = AuthState {
        user_id,
        membership_id,
        generation,
        login_at: now,
        last_seen: now,
        // `load_user` records the new session once this request is done.
        record: None,
    };
    session.insert(current_user::SESSION_KEY, &auth).await?;
    Ok(())
}
