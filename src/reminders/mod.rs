//! Reminders the worker plans: each member's and coordinator's digest of due and overdue
//! items (daily, or weekly on Monday, from 07:00 Danish time), and an open round's
//! deadline three days ahead. Each is planned once: its key goes into `mail_runs` in the
//! transaction that queues it, so a second instance, or the next round, skips it.

use sqlx::PgPool;
use time::{OffsetDateTime, Weekday};
use uuid::Uuid;

use crate::clock;
use crate::courses::due::{self, DueRow};
use crate::courses::repo as courses_repo;
use crate::courses::rules::Urgency;
use crate::db::{Scope, TenantTx};
use crate::i18n::{Locale, Messages, fill};
use crate::mail::{self, Notice, NoticeKind, Outgoing, outbox};
use crate::vocab::Role;

/// The hour (Danish time) from which the day's digests go out.
pub const DIGEST_HOUR: u8 = 7;
/// How long before a round's deadline its reminder goes out.
pub const DEADLINE_NOTICE_DAYS: i64 = 3;

/// What one planning round queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub digests: usize,
    pub deadline_notices: usize,
}

/// The digest period `now` falls in for a frequency, or `None` when no digest is due yet:
/// "2026-12-07" for a daily one, "2026-W50" for a weekly one (Mondays only).
pub fn digest_period(frequency: &str, now: OffsetDateTime) -> Option<String> {
    let local = clock::to_danish(now);
    if local.hour() < DIGEST_HOUR {
        return None;
    }
    let date = local.date();
    match frequency {
        "daily" => Some(date.to_string()),
        "weekly" if date.weekday() == Weekday::Monday => {
            let (year, week, _) = date.to_iso_week_date();
            Some(format!("{year}-W{week:02}"))
        }
        _ => None,
    }
}

/// Counts of a digest: items overdue and due soon, of the user's own courses and (for
/// coordinators) of the municipality's, and members not coached this month.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub own_overdue: usize,
    pub own_due_soon: usize,
    pub municipality_overdue: usize,
    pub municipality_due_soon: usize,
    pub coaching: usize,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

fn count(rows: &[DueRow], urgency: Urgency) -> usize {
    rows.iter().filter(|row| row.urgency == urgency).count()
}

/// The digest's text: counts only, never a course's or a citizen's name.
pub fn digest_body(
    t: &'static Messages,
    name: &str,
    municipality: &str,
    weekly: bool,
    counts: &Counts,
) -> String {
    let m = &t.mail;
    let mut lines = vec![
        if weekly {
            m.digest_intro_weekly
        } else {
            m.digest_intro_daily
        }
        .to_string(),
        String::new(),
    ];
    if counts.own_overdue + counts.own_due_soon > 0 {
        lines.push(m.digest_own.to_string());
        lines.push(format!("  {}: {}", m.digest_overdue, counts.own_overdue));
        lines.push(format!("  {}: {}", m.digest_due_soon, counts.own_due_soon));
    }
    if counts.municipality_overdue + counts.municipality_due_soon + counts.coaching > 0 {
        lines.push(fill(m.digest_municipality, &[municipality]));
        lines.push(format!(
            "  {}: {}",
            m.digest_overdue, counts.municipality_overdue
        ));
        lines.push(format!(
            "  {}: {}",
            m.digest_due_soon, counts.municipality_due_soon
        ));
        if counts.coaching > 0 {
            lines.push(format!("  {}: {}", m.digest_coaching, counts.coaching));
        }
    }
    mail::letter(t, name, &lines, "/")
}

struct DigestRecipient {
    user_id: Uuid,
    municipality_id: Uuid,
    email: String,
    name: String,
    locale: String,
    digest: String,
    roles: Vec<Role>,
}

/// Plans what is due at `now`: digests and deadline reminders.
pub async fn plan(pool: &PgPool, now: OffsetDateTime) -> Result<Planned, sqlx::Error> {
    // One failing part never keeps the others from being planned.
    let mut planned = Planned {
        deadline_notices: deadlines(pool, now).await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "planning deadline reminders failed");
            0
        }),
        ..Planned::default()
    };
    let mut tx = TenantTx::begin(pool, Scope::Job).await?;
    let recipients = sqlx::query_as!(
        DigestRecipient,
        r#"SELECT user_id AS "user_id!", municipality_id AS "municipality_id!", email AS "email!",
                  name AS "name!", locale AS "locale!", digest AS "digest!", roles AS "roles!: Vec<Role>"
           FROM digest_recipients()"#
    )
    .fetch_all(tx.conn())
    .await?;
    tx.commit().await?;
    for recipient in recipients {
        let Some(period) = digest_period(&recipient.digest, now) else {
            continue;
        };
        match digest(pool, &recipient, &period).await {
            Ok(true) => planned.digests += 1,
            Ok(false) => {}
            // The others still get theirs; this one is tried again next round.
            Err(err) => tracing::warn!(user = %recipient.user_id, error = %err, "a digest failed"),
        }
    }
    Ok(planned)
}

/// One recipient's digest for `period`, looked at through their own eyes (their scope in
/// the municipality), so it counts exactly what their start page shows. True when a mail
/// was queued.
async fn digest(
    pool: &PgPool,
    recipient: &DigestRecipient,
    period: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = TenantTx::begin(
        pool,
        Scope::Municipality {
            user_id: recipient.user_id,
            municipality_id: recipient.municipality_id,
        },
    )
    .await?;
    let key = format!(
        "digest:{}:{}:{period}",
        recipient.user_id, recipient.municipality_id
    );
    if !mail::claim(&mut tx, &key).await? {
        return Ok(false);
    }
    let t = Locale::from_code(&recipient.locale)
        .unwrap_or_default()
        .messages();
    let has = |role: Role| recipient.roles.contains(&role);
    let mut counts = Counts::default();
    if has(Role::Mentor) || has(Role::ParentCoach) {
        if let Some(member) = courses_repo::member_of_user(&mut tx, recipient.user_id).await? {
            let own = due::for_courses(&mut tx, Some(member), t).await?;
            counts.own_overdue = count(&own, Urgency::Overdue);
            counts.own_due_soon = count(&own, Urgency::DueSoon);
        }
    }
    if has(Role::Coordinator) {
        let all = due::for_courses(&mut tx, None, t).await?;
        counts.municipality_overdue = count(&all, Urgency::Overdue);
        counts.municipality_due_soon = count(&all, Urgency::DueSoon);
        counts.coaching = due::coaching_due(&mut tx, t).await?.len();
    }
    if counts.is_empty() {
        // Nothing due: nothing is sent, and the period counts as done.
        tx.commit().await?;
        return Ok(false);
    }
    let municipality = sqlx::query_scalar!(
        "SELECT name FROM municipalities WHERE id = $1",
        recipient.municipality_id
    )
    .fetch_one(tx.conn())
    .await?;
    let weekly = recipient.digest == "weekly";
    let subject = mail::subject(
        t,
        if weekly {
            t.mail.digest_subject_weekly
        } else {
            t.mail.digest_subject_daily
        },
    );
    let body = digest_body(t, &recipient.name, &municipality, weekly, &counts);
    outbox::queue(
        &mut tx,
        &Outgoing {
            kind: "digest",
            user_id: Some(recipient.user_id),
            to_address: &recipient.email,
            to_name: &recipient.name,
            subject: &subject,
            body: &body,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Open rounds whose deadline is within three days: the coordinators of municipalities
/// that have not submitted hear of it, once.
async fn deadlines(pool: &PgPool, now: OffsetDateTime) -> Result<usize, sqlx::Error> {
    let mut tx = TenantTx::begin(pool, Scope::Job).await?;
    let rounds = sqlx::query!(
        "SELECT id, title, deadline FROM application_rounds
         WHERE state = 'open' AND deadline > $1 AND deadline <= $1 + make_interval(days => $2)",
        now,
        DEADLINE_NOTICE_DAYS as i32
    )
    .fetch_all(tx.conn())
    .await?;
    let mut told = 0;
    for round in rounds {
        if !mail::claim(&mut tx, &format!("round_deadline:{}", round.id)).await? {
            continue;
        }
        let municipalities = sqlx::query_scalar!(
            r#"SELECT municipality_id AS "id!" FROM round_unsubmitted_municipalities($1)"#,
            round.id
        )
        .fetch_all(tx.conn())
        .await?;
        let deadline = clock::format_datetime(round.deadline);
        let notice = Notice::new(
            NoticeKind::RoundDeadline,
            "/ansoegninger",
            &[&round.title, &deadline],
        );
        for municipality in municipalities {
            let coordinators = mail::notices::coordinators(&mut tx, municipality).await?;
            told += coordinators.len();
            mail::tell(&mut tx, &coordinators, &notice).await?;
        }
    }
    tx.commit().await?;
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn digests_wait_for_seven_danish_time() {
        // 05:59 UTC is 06:59 in Copenhagen in winter.
        assert_eq!(
            digest_period("daily", datetime!(2026-12-07 05:59 UTC)),
            None
        );
        assert_eq!(
            digest_period("daily", datetime!(2026-12-07 06:00 UTC)).as_deref(),
            Some("2026-12-07")
        );
        // Summer: 07:00 in Copenhagen is 05:00 UTC.
        assert!(digest_period("daily", datetime!(2026-07-06 05:00 UTC)).is_some());
    }

    #[test]
    fn weekly_digests_go_out_on_monday_only() {
        // 7 December 2026 is a Monday.
        assert_eq!(
            digest_period("weekly", datetime!(2026-12-07 08:00 UTC)).as_deref(),
            Some("2026-W50")
        );
        assert_eq!(
            digest_period("weekly", datetime!(2026-12-08 08:00 UTC)),
            None
        );
        assert_eq!(digest_period("off", datetime!(2026-12-07 08:00 UTC)), None);
    }

    #[test]
    fn a_digest_holds_counts_and_a_link_only() {
        let t = Locale::Da.messages();
        let counts = Counts {
            own_overdue: 2,
            own_due_soon: 1,
            ..Counts::default()
        };
        let body = digest_body(t, "Mette", "Aarhus", false, &counts);
        assert!(body.contains("Overskredne punkter: 2"));
        assert!(body.contains("Forfalder snart: 1"));
        assert!(body.contains("{korps}/\n"));
        assert!(
            !body.contains("Aarhus"),
            "no municipality section without its counts"
        );
    }
}
