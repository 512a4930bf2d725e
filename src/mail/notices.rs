//! Notices: the inbox in Korps, and the mails that carry the same events.

use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::outbox::{self, Outgoing};
use crate::db::TenantTx;
use crate::i18n::{Locale, Messages, fill};
use crate::vocab::{Role, coded_enum};

coded_enum!(
    /// What a notice is about (`notice_kinds()` in the database lists the same codes).
    NoticeKind {
        CourseAssigned = "course_assigned",
        ApplicationDecided = "application_decided",
        LoanForwarded = "loan_forwarded",
        LoanAgreed = "loan_agreed",
        LoanDeclined = "loan_declined",
        LoanEnded = "loan_ended",
        RoundOpened = "round_opened",
        RoundDeadline = "round_deadline",
    }
);

impl NoticeKind {
    /// The notice's text, with `{}` for its parameters.
    pub fn text(self, t: &'static Messages) -> &'static str {
        let m = &t.mail;
        match self {
            NoticeKind::CourseAssigned => m.notice_course_assigned,
            NoticeKind::ApplicationDecided => m.notice_application_decided,
            NoticeKind::LoanForwarded => m.notice_loan_forwarded,
            NoticeKind::LoanAgreed => m.notice_loan_agreed,
            NoticeKind::LoanDeclined => m.notice_loan_declined,
            NoticeKind::LoanEnded => m.notice_loan_ended,
            NoticeKind::RoundOpened => m.notice_round_opened,
            NoticeKind::RoundDeadline => m.notice_round_deadline,
        }
    }

    /// The kind's name among the mail preferences.
    pub fn label(self, t: &'static Messages) -> &'static str {
        let m = &t.mail;
        match self {
            NoticeKind::CourseAssigned => m.kind_course_assigned,
            NoticeKind::ApplicationDecided => m.kind_application_decided,
            NoticeKind::LoanForwarded => m.kind_loan_forwarded,
            NoticeKind::LoanAgreed => m.kind_loan_agreed,
            NoticeKind::LoanDeclined => m.kind_loan_declined,
            NoticeKind::LoanEnded => m.kind_loan_ended,
            NoticeKind::RoundOpened => m.kind_round_opened,
            NoticeKind::RoundDeadline => m.kind_round_deadline,
        }
    }

    /// The kinds a user with these roles can receive (for the preferences form).
    pub fn for_roles(coordinator: bool, member: bool) -> Vec<NoticeKind> {
        NoticeKind::ALL
            .iter()
            .copied()
            .filter(|kind| match kind {
                NoticeKind::CourseAssigned => member,
                _ => coordinator,
            })
            .collect()
    }
}

/// One event to tell: its kind, where it leads in Korps, its harmless parameters.
pub struct Notice {
    pub kind: NoticeKind,
    pub href: String,
    /// Course references, municipality names, round titles and dates: never a citizen.
    pub params: Vec<String>,
}

impl Notice {
    pub fn new(kind: NoticeKind, href: impl Into<String>, params: &[&str]) -> Notice {
        Notice {
            kind,
            href: href.into(),
            params: params.iter().map(|p| p.to_string()).collect(),
        }
    }

    pub fn text(&self, t: &'static Messages) -> String {
        let params: Vec<&str> = self.params.iter().map(String::as_str).collect();
        fill(self.kind.text(t), &params)
    }
}

/// Someone to tell, with what their mail needs.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub locale: Locale,
    /// Notice kinds they do not want by mail.
    pub mail_off: Vec<NoticeKind>,
}

/// Leaves the notice in each recipient's inbox and queues a mail for those who want one,
/// in the caller's transaction: the event and its notices commit together or not at all.
pub async fn tell(
    tx: &mut TenantTx,
    recipients: &[Recipient],
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    let mut told: Vec<Uuid> = Vec::new();
    for recipient in recipients {
        if told.contains(&recipient.user_id) {
            continue;
        }
        told.push(recipient.user_id);
        sqlx::query!(
            "INSERT INTO notices (id, user_id, kind, href, params) VALUES ($1, $2, $3, $4, $5)",
            Uuid::now_v7(),
            recipient.user_id,
            notice.kind as _,
            notice.href,
            json!(notice.params)
        )
        .execute(tx.conn())
        .await?;
        if recipient.mail_off.contains(&notice.kind) {
            continue;
        }
        let t = recipient.locale.messages();
        let text = notice.text(t);
        let subject = super::subject(t, &text);
        let body = super::letter(t, &recipient.name, &[text], &notice.href);
        outbox::queue(
            tx,
            &Outgoing {
                kind: notice.kind.code(),
                user_id: Some(recipient.user_id),
                to_address: &recipient.email,
                to_name: &recipient.name,
                subject: &subject,
                body: &body,
            },
        )
        .await?;
    }
    Ok(())
}

/// The active staff with `role` in a municipality (every municipality when `None`).
pub async fn staff(
    tx: &mut TenantTx,
    municipality: Option<Uuid>,
    role: Role,
) -> Result<Vec<Recipient>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT user_id AS "user_id!", email AS "email!", name AS "name!", locale AS "locale!",
                  mail_off AS "mail_off!: Vec<NoticeKind>"
           FROM staff_to_notify($1, $2)"#,
        municipality,
        role as _
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Recipient {
            user_id: r.user_id,
            email: r.email,
            name: r.name,
            locale: Locale::from_code(&r.locale).unwrap_or_default(),
            mail_off: r.mail_off,
        })
        .collect())
}

/// The coordinators of a municipality.
pub async fn coordinators(
    tx: &mut TenantTx,
    municipality: Uuid,
) -> Result<Vec<Recipient>, sqlx::Error> {
    staff(tx, Some(municipality), Role::Coordinator).await
}

/// The account of a corps member (the member a course is assigned to).
pub async fn member(tx: &mut TenantTx, member_id: Uuid) -> Result<Option<Recipient>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT user_id AS "user_id!", email AS "email!", name AS "name!", locale AS "locale!",
                  mail_off AS "mail_off!: Vec<NoticeKind>"
           FROM member_to_notify($1)"#,
        member_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| Recipient {
        user_id: r.user_id,
        email: r.email,
        name: r.name,
        locale: Locale::from_code(&r.locale).unwrap_or_default(),
        mail_off: r.mail_off,
    }))
}

/// A notice in the inbox.
pub struct Row {
    pub id: Uuid,
    pub kind: NoticeKind,
    pub href: String,
    pub params: Vec<String>,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

impl Row {
    pub fn text(&self, t: &'static Messages) -> String {
        let params: Vec<&str> = self.params.iter().map(String::as_str).collect();
        fill(self.kind.text(t), &params)
    }
}

/// The signed-in user's notices, newest first (row-level security: only their own).
pub async fn list(
    tx: &mut TenantTx,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM notices WHERE user_id = app_user_id()"#
    )
    .fetch_one(tx.conn())
    .await?;
    let rows = sqlx::query!(
        r#"SELECT id, kind AS "kind: NoticeKind", href, params, created_at, read_at FROM notices
         WHERE user_id = app_user_id()
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"#,
        limit,
        offset
    )
    .fetch_all(tx.conn())
    .await?;
    let rows = rows
        .into_iter()
        .map(|r| Row {
            id: r.id,
            kind: r.kind,
            href: r.href,
            params: serde_json::from_value(r.params).unwrap_or_default(),
            created_at: r.created_at,
            read_at: r.read_at,
        })
        .collect();
    Ok((rows, total))
}

/// Marks one of the user's notices read; its link, or `None` when it is not theirs.
pub async fn mark_read(tx: &mut TenantTx, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE notices SET read_at = coalesce(read_at, now())
         WHERE id = $1 AND user_id = app_user_id() RETURNING href",
        id
    )
    .fetch_optional(tx.conn())
    .await
}

pub async fn mark_all_read(tx: &mut TenantTx) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE notices SET read_at = now() WHERE user_id = app_user_id() AND read_at IS NULL"
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
