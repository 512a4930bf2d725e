//! What the start page shows about training: national staff see the coming modules and
//! events and the held modules still without attendance; coordinators of approved
//! municipalities see cohorts where they can still nominate, and the coming modules of
//! their participants.

use time::Duration;

use super::model::{Phase, format_span};
use super::{repo, seats_left};
use crate::auth::CurrentUser;
use crate::clock;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::Role;

pub struct StartItem {
    pub href: String,
    pub title: String,
    pub detail: String,
    pub when: String,
}

#[derive(Default)]
pub struct StartSection {
    /// National: modules and events in the coming 60 days.
    pub upcoming: Vec<StartItem>,
    /// National: held modules without attendance.
    pub awaiting_attendance: Vec<StartItem>,
    /// Coordinators: cohorts with seats left ("Indstil deltagere").
    pub open_seats: Vec<StartItem>,
    /// Coordinators: coming modules of their participants.
    pub nominee_modules: Vec<StartItem>,
}

pub async fn start_section(
    tx: &mut TenantTx,
    user: &CurrentUser,
    t: &'static Messages,
) -> AppResult<StartSection> {
    let tm = &t.training;
    let mut section = StartSection::default();
    let today = clock::today();
    if user.has(Role::National) {
        section.upcoming = repo::upcoming(tx, today, today + Duration::days(60))
            .await?
            .into_iter()
            .map(|u| StartItem {
                href: match (u.cohort_id, u.event_id) {
                    (Some(cohort), _) => format!("/uddannelse/hold/{cohort}"),
                    (None, Some(event)) => format!("/uddannelse/arrangementer/{event}"),
                    _ => "/uddannelse".to_string(),
                },
                detail: match u.event_kind {
                    Some(kind) => kind.label(tm).to_string(),
                    None => u.context,
                },
                title: u.title,
                when: format_span(u.starts_on, u.ends_on),
            })
            .collect();
        section.awaiting_attendance = repo::awaiting_attendance(tx, today)
            .await?
            .into_iter()
            .map(|(cohort, module, name, title, day)| StartItem {
                href: format!("/uddannelse/hold/{cohort}/moduler/{module}"),
                title,
                detail: name,
                when: clock::format_date(day),
            })
            .collect();
    }
    if user.has(Role::Coordinator) {
        for row in repo::list_cohorts(tx).await? {
            if row.round_id.is_none() || row.last_day.is_some_and(|last| last < today) {
                continue;
            }
            let Some(cohort) = repo::get_cohort(tx, row.id).await? else {
                continue;
            };
            let modules: Vec<_> = repo::modules(tx, row.id)
                .await?
                .iter()
                .map(repo::Module::dates)
                .collect();
            if Phase::of(&modules, today) == Phase::Completed {
                continue;
            }
            if let Some(left) = seats_left(tx, &cohort).await? {
                if left.total() > 0 {
                    section.open_seats.push(StartItem {
                        href: format!("/uddannelse/hold/{}", row.id),
                        title: row.name,
                        detail: crate::i18n::fill(
                            tm.seats_left_count,
                            &[&left.total().to_string()],
                        ),
                        when: row
                            .first_day
                            .map(|first| format_span(first, row.last_day))
                            .unwrap_or_default(),
                    });
                }
            }
        }
        section.nominee_modules = repo::upcoming_for_nominees(tx, today)
            .await?
            .into_iter()
            .map(
                |(cohort, name, title, starts_on, ends_on, names)| StartItem {
                    href: format!("/uddannelse/hold/{cohort}"),
                    title: format!("{name}: {title}"),
                    detail: names.join(", "),
                    when: format_span(starts_on, ends_on),
                },
            )
            .collect();
    }
    Ok(section)
}
