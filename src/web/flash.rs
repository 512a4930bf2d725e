//! One-time messages shown on the next page ("Ændringerne er gemt.").

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::AppError;

const SESSION_KEY: &str = "flash";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Success,
    Info,
    Error,
}

impl Kind {
    /// The dkfds alert modifier and icon name.
    pub fn css(self) -> &'static str {
        match self {
            Kind::Success => "success",
            Kind::Info => "info",
            Kind::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: Kind,
    pub text: String,
}

pub async fn push(session: &Session, kind: Kind, text: impl Into<String>) -> Result<(), AppError> {
    let mut flashes: Vec<Flash> = session.get(SESSION_KEY).await?.unwrap_or_default();
    flashes.push(Flash {
        kind,
        text: text.into(),
    });
    session.insert(SESSION_KEY, flashes).await?;
    Ok(())
}

/// Takes the waiting messages; each is shown once.
pub async fn take(session: &Session) -> Result<Vec<Flash>, AppError> {
    Ok(session
        .remove::<Vec<Flash>>(SESSION_KEY)
        .await?
        .unwrap_or_default())
}

const SECRET_KEY: &str = "once";

/// A value to show on the next page only, never stored anywhere else: new recovery codes
/// or a calendar address after Post/Redirect/Get. Bound to the record it belongs to.
pub async fn put_secret(
    session: &Session,
    record: uuid::Uuid,
    secret: &str,
) -> Result<(), AppError> {
    session.insert(SECRET_KEY, (record, secret)).await?;
    Ok(())
}

pub async fn take_secret(
    session: &Session,
    record: uuid::Uuid,
) -> Result<Option<String>, AppError> {
    let stored: Option<(uuid::Uuid, String)> = session.get(SECRET_KEY).await?;
    match stored {
        Some((id, secret)) if id == record => {
            session.remove::<(uuid::Uuid, String)>(SECRET_KEY).await?;
            Ok(Some(secret))
        }
        _ => Ok(None),
    }
}
