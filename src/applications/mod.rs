//! Application rounds (national centre) and municipalities' applications to them: a
//! training round (2015 guide) or an advisory round (2022 guide) is planned, opened with a
//! deadline and closed by national staff; coordinators draft, save and submit, also
//! jointly with partner municipalities; national staff score each criterion of the guide
//! and decide. The applicant sees the decision and its reason, never the scores.

mod apply;
pub mod model;
pub mod repo;
mod review;
mod rounds;
mod start;
mod views;

pub use apply::{
    add_partner, apply, confirm, download, edit_page, own_list_page, remove_partner, save,
    show_page,
};
pub use review::{decide, decision_page, review_page, save_review};
pub use rounds::{
    close_round, create_round, edit_round_page, new_round_page, open_round, round_page,
    rounds_page, update_round,
};
pub use start::{StartSection, start_section};

use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{AppError, AppResult};

/// The application and its round, or 404 when the transaction may not see it.
async fn load(tx: &mut TenantTx, id: Uuid) -> AppResult<(repo::Application, repo::Round)> {
    let application = repo::get_application(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let round = repo::get_round(tx, application.round_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((application, round))
}
