//! The inbox: notices of events that concern the user (the bell in the header counts the
//! unread ones), and, for national staff, the outgoing mails with the ones that failed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use crate::audit::{Done, Event};
use crate::clock;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::mail::{notices, outbox};
use crate::web::Page;
use crate::web::client::ClientAddr;
use crate::web::routes::{Access, NATIONAL, Route};
use crate::web::table::{self, List, ListSpec};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/beskeder", Access::SignedIn, inbox_page),
        Route::post("/beskeder/laest", Access::SignedIn, mark_all_read),
        Route::post("/beskeder/{id}/laest", Access::SignedIn, mark_read),
        Route::get("/udgaaende-mails", NATIONAL, outbox_page).menu(175, |t| t.mail.outbox_title),
        Route::post("/udgaaende-mails/{id}/send-igen", NATIONAL, resend),
    ]
}

static INBOX: ListSpec = ListSpec {
    path: "/beskeder",
    per_page: 25,
    ..ListSpec::PLAIN
};

struct NoticeRow {
    id: Uuid,
    text: String,
    href: String,
    when: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/inbox.html")]
struct InboxView {
    page: Page,
    list: List<NoticeRow>,
    any_unread: bool,
}

pub async fn inbox_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let query = INBOX.read(query.as_deref());
    let list = table::load!(query, |limit, offset| notices::list(&mut tx, limit, offset));
    tx.commit().await?;
    let m = &t.mail;
    let list = list
        .columns(
            t,
            &[
                (m.inbox_notice, None),
                (m.inbox_when, None),
                (m.outbox_status, None),
            ],
        )
        .map(|row| NoticeRow {
            id: row.id,
            text: row.text(t),
            href: row.href.clone(),
            when: clock::format_datetime(row.created_at),
            unread: row.read_at.is_none(),
        });
    Ok(InboxView {
        any_unread: list.rows.iter().any(|row| row.unread),
        list,
        page: page
            .titled(m.inbox_title)
            .crumb(t.common.nav_start, "/")
            .crumb(m.inbox_title, "/beskeder"),
    }
    .into_response())
}

/// Marks a notice read and follows its link; another user's notice answers 404.
pub async fn mark_read(
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let href = notices::mark_read(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Done::to(href).finish(tx, addr, &session).await
}

pub async fn mark_all_read(
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    page: Page,
) -> AppResult<Response> {
    notices::mark_all_read(&mut tx).await?;
    Done::to("/beskeder")
        .said(page.t.mail.all_marked_read)
        .finish(tx, addr, &session)
        .await
}

static OUTBOX: ListSpec = ListSpec {
    path: "/udgaaende-mails",
    filters: &["status"],
    per_page: 50,
    ..ListSpec::PLAIN
};

struct MailRow {
    id: Uuid,
    created: String,
    recipient: String,
    subject: String,
    kind: String,
    attempts: i32,
    status: &'static str,
    failed: bool,
    last_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/outbox.html")]
struct OutboxView {
    page: Page,
    list: List<MailRow>,
    statuses: Vec<(&'static str, &'static str)>,
}

pub async fn outbox_page(
    mut tx: TenantTx,
    page: Page,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let t = page.t;
    let m = &t.mail;
    let mut query = OUTBOX.read(query.as_deref());
    query.keep_one_of("status", &["failed", "waiting", "sent"]);
    let status = query.filter("status").to_string();
    let list = table::load!(query, |limit, offset| outbox::list(
        &mut tx, &status, limit, offset
    ));
    tx.commit().await?;
    let list = list
        .columns(
            t,
            &[
                (m.outbox_created, None),
                (m.outbox_recipient, None),
                (m.outbox_subject, None),
                (m.outbox_kind, None),
                (m.outbox_attempts, None),
                (m.outbox_status, None),
                (m.outbox_last_error, None),
            ],
        )
        .map(|row| MailRow {
            id: row.id,
            created: clock::format_datetime(row.created_at),
            recipient: row.to_address,
            subject: row.subject,
            kind: match crate::mail::NoticeKind::from_code(&row.kind) {
                Some(kind) => kind.label(t).to_string(),
                None if row.kind == "digest" => m.kind_digest.to_string(),
                None => row.kind,
            },
            attempts: row.attempts,
            status: if row.failed_at.is_some() {
                m.outbox_status_failed
            } else if row.sent_at.is_some() {
                m.outbox_status_sent
            } else {
                m.outbox_status_waiting
            },
            failed: row.failed_at.is_some(),
            last_error: row.last_error,
        });
    Ok(OutboxView {
        list,
        statuses: vec![
            ("failed", m.outbox_status_failed),
            ("waiting", m.outbox_status_waiting),
            ("sent", m.outbox_status_sent),
        ],
        page: page
            .titled(m.outbox_title)
            .crumb(t.common.nav_start, "/")
            .crumb(m.outbox_title, "/udgaaende-mails"),
    }
    .into_response())
}

/// Puts a failed mail back in the queue; one that is not failed (any more) answers 404.
pub async fn resend(
    mut tx: TenantTx,
    session: Session,
    addr: ClientAddr,
    page: Page,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    if !outbox::resend(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    Done::to("/udgaaende-mails?status=failed")
        .audit(Event::new("mail_resent").subject("mail", id))
        .said(page.t.mail.resent)
        .finish(tx, addr, &session)
        .await
}
