//! The start page: "what needs my attention", one section per role the user holds.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::web::Page;

#[derive(Template, WebTemplate)]
#[template(path = "home/start.html")]
struct StartView {
    page: Page,
    national: bool,
    coordinator: bool,
    member: bool,
    active_staff: i64,
}

pub async fn start_page(user: CurrentUser, mut tx: TenantTx, page: Page) -> AppResult<Response> {
    let coordinator = user.has(Role::Coordinator);
    let active_staff = if coordinator {
        crate::staff::repo::count_active(&mut tx).await?
    } else {
        0
    };
    tx.commit().await?;
    let t = page.t;
    Ok(StartView {
        page: page.titled(t.start_title),
        national: user.has(Role::National),
        coordinator,
        member: user.has(Role::Mentor) || user.has(Role::ParentCoach),
        active_staff,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accessibility.html")]
struct AccessibilityView {
    page: Page,
}

pub async fn accessibility_page(page: Page) -> Response {
    let t = page.t;
    AccessibilityView {
        page: page.titled(t.a11y_title),
    }
    .into_response()
}
