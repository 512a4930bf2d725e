//! What the start page shows about applications: for coordinators the open rounds, their
//! municipality's applications with decisions, and joint applications to confirm; for
//! national staff the applications waiting for review.

use uuid::Uuid;

use super::apply::{OpenRoundRow, OwnApplicationRow, open_round_rows, own_rows};
use super::repo;
use crate::auth::CurrentUser;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::i18n::Messages;
use crate::vocab::Role;

#[derive(Default)]
pub struct StartSection {
    pub open_rounds: Vec<OpenRoundRow>,
    pub applications: Vec<OwnApplicationRow>,
    pub awaiting_review: Vec<(Uuid, String, i64)>,
}

impl StartSection {
    pub fn to_confirm(&self) -> impl Iterator<Item = &OwnApplicationRow> {
        self.applications
            .iter()
            .filter(|row| row.awaiting_my_confirmation)
    }

    pub fn has_to_confirm(&self) -> bool {
        self.to_confirm().next().is_some()
    }
}

pub async fn start_section(
    tx: &mut TenantTx,
    user: &CurrentUser,
    t: &'static Messages,
) -> AppResult<StartSection> {
    let mut section = StartSection::default();
    if user.has(Role::Coordinator) {
        section.open_rounds = open_round_rows(tx, t).await?;
        section.applications = own_rows(tx, t).await?;
    }
    if user.has(Role::National) {
        section.awaiting_review = repo::awaiting_review(tx).await?;
    }
    Ok(section)
}
