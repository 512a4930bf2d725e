//! How every successful POST ends: its audit entries, the commit, a message for the next
//! page, and a 303 to that page (Post/Redirect/Get). Handlers build a `Done` and call
//! `finish`; nothing else commits a change and redirects.

use std::borrow::Cow;

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::{Event, record};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::client::ClientAddr;
use crate::web::flash::{self, Kind};

/// The end of a successful POST, built up and then `finish`ed.
#[must_use = "a Done does nothing until it is finished"]
pub struct Done<'a> {
    location: String,
    events: Vec<Event<'a>>,
    message: Option<(Kind, Cow<'static, str>)>,
}

impl<'a> Done<'a> {
    /// Sends the user on to `location` (a path of Korps).
    pub fn to(location: impl Into<String>) -> Done<'a> {
        Done {
            location: location.into(),
            events: Vec::new(),
            message: None,
        }
    }

    /// Writes `event` to the audit log, in the same transaction as the change.
    pub fn audit(mut self, event: Event<'a>) -> Done<'a> {
        self.events.push(event);
        self
    }

    /// Shows `text` as a success message on the next page.
    pub fn said(self, text: impl Into<Cow<'static, str>>) -> Done<'a> {
        self.message(Kind::Success, text)
    }

    /// Shows `text` with `kind` on the next page.
    pub fn message(mut self, kind: Kind, text: impl Into<Cow<'static, str>>) -> Done<'a> {
        self.message = Some((kind, text.into()));
        self
    }

    /// Records the events, commits, leaves the message and redirects (303). The message
    /// is left only after the commit, so a failed commit never says "saved".
    pub async fn finish(
        self,
        mut tx: TenantTx,
        addr: ClientAddr,
        session: &Session,
    ) -> AppResult<Response> {
        for event in self.events {
            record(&mut tx, addr, event).await?;
        }
        tx.commit().await?;
        if let Some((kind, text)) = self.message {
            flash::push(session, kind, text.into_owned()).await?;
        }
        Ok(Redirect::to(&self.location).into_response())
    }
}
