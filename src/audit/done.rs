//! How every successful POST ends: its audit entries, the commit, a message for the next
//! page, and a 303 to that page (Post/Redirect/Get). Handlers build a `Done` and call
//! `finish`; nothing else commits a change and redirects. A POST refused on a page that
//! shows a record's data answers that page (`web::forms::invalid`) and logs the view as a
//! read through `audit::Reads`, which writes it whatever becomes of the transaction.

use std::borrow::Cow;

use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use uuid::Uuid;

use super::{Event, record, record_for};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::client::ClientAddr;
use crate::web::flash::{self, Kind};

/// The end of a successful POST, built up and then `finish`ed.
#[must_use = "a Done does nothing until it is finished"]
pub struct Done<'a> {
    location: String,
    events: Vec<(Log, Event<'a>)>,
    message: Option<(Kind, Cow<'static, str>)>,
}

/// Whose log an entry goes into.
enum Log {
    /// The transaction's own municipality (and the event's owner, if another).
    Own,
    /// This municipality's (`None`: the national log), whatever the transaction's is.
    Of(Option<Uuid>),
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
        self.events.push((Log::Own, event));
        self
    }

    /// Writes `event` to the log of `municipality` (`None`: the national log) instead of
    /// the transaction's own, as done by the transaction's user: a step that concerns
    /// other municipalities (a loan, a new municipality, a login before a municipality is
    /// chosen) must show in their logs.
    pub fn audit_in(mut self, municipality: Option<Uuid>, event: Event<'a>) -> Done<'a> {
        self.events.push((Log::Of(municipality), event));
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
        for (log, event) in self.events {
            match log {
                Log::Own => record(&mut tx, addr, event).await?,
                Log::Of(municipality) => {
                    let actor = tx.scope().user_id();
                    record_for(&mut tx, municipality, actor, addr, event).await?;
                }
            }
        }
        tx.commit().await?;
        if let Some((kind, text)) = self.message {
            flash::push(session, kind, text.into_owned()).await?;
        }
        Ok(Redirect::to(&self.location).into_response())
    }
}
