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
pub mod throttle;
pub mod totp;

use time::OffsetDateTime;
use tower_sessions::Session;

pub use current_user::{
    AuthState, CurrentUser, IDLE_TIMEOUT_SECS, MaybeUser, MunicipalityRef, end_session, load_user,
};

use crate::error::AppResult;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "korps_session";

/// Starts (or restarts) the signed-in session under a new id, so an id planted or seen
/// before is worth nothing.
pub async fn start_session(
    session: &Session,
    user_id: uuid::Uuid,
    membership_id: uuid::Uuid,
    generation: i32,
) -> AppResult<()> {
    session.cycle_id().await?;
    // A token seen before login is worth nothing after it.
    session
        .remove::<String>(crate::web::csrf::SESSION_KEY)
        .await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let auth = AuthState {
        user_id,
        membership_id,
        generation,
        login_at: now,
        last_seen: now,
    };
    session.insert(current_user::SESSION_KEY, &auth).await?;
    Ok(())
}
