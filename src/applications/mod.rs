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
use crate::web::routes::{COORDINATOR, NATIONAL, NATIONAL_OR_COORDINATOR, Route};

/// The routes of this feature: the router, the access check and the menu derive from them.
pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/ansoegningsrunder", NATIONAL, rounds_page).menu(100, |t| t.apps.nav_rounds),
        Route::get("/ansoegningsrunder/ny", NATIONAL, new_round_page),
        Route::post("/ansoegningsrunder", NATIONAL, create_round),
        Route::get("/ansoegningsrunder/{id}", NATIONAL, round_page),
        Route::get("/ansoegningsrunder/{id}/rediger", NATIONAL, edit_round_page),
        Route::post("/ansoegningsrunder/{id}/rediger", NATIONAL, update_round),
        Route::post("/ansoegningsrunder/{id}/aabn", NATIONAL, open_round),
        Route::post("/ansoegningsrunder/{id}/luk", NATIONAL, close_round),
        Route::post("/ansoegningsrunder/{id}/ansoeg", COORDINATOR, apply),
        Route::get("/ansoegninger", COORDINATOR, own_list_page)
            .menu(90, |t| t.apps.nav_applications),
        Route::get("/ansoegninger/{id}", NATIONAL_OR_COORDINATOR, show_page),
        Route::get("/ansoegninger/{id}/rediger", COORDINATOR, edit_page),
        Route::post("/ansoegninger/{id}/rediger", COORDINATOR, save)
            // The minutes file (10 MB) and the answers; the handler reports a file
            // that is too large next to the field.
            .upload(16 * 1024 * 1024),
        Route::post("/ansoegninger/{id}/partnere", COORDINATOR, add_partner),
        Route::post(
            "/ansoegninger/{id}/partnere/fjern",
            COORDINATOR,
            remove_partner,
        ),
        Route::post("/ansoegninger/{id}/bekraeft", COORDINATOR, confirm),
        Route::get(
            "/ansoegninger/{id}/bilag",
            NATIONAL_OR_COORDINATOR,
            download,
        ),
        Route::get("/ansoegninger/{id}/vurdering", NATIONAL, review_page),
        Route::post("/ansoegninger/{id}/vurdering", NATIONAL, save_review),
        Route::get("/ansoegninger/{id}/afgoerelse", NATIONAL, decision_page),
        Route::post("/ansoegninger/{id}/afgoerelse", NATIONAL, decide),
    ]
}

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
