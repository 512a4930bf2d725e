//! The coordinator's retention page.

use askama::Template;
use askama_web::WebTemplate;
use time::{Date, Duration};

use super::HORIZON_DAYS;
use super::repo::{Due, Hold};
use crate::clock;
use crate::web::Page;
use crate::web::forms::FieldErrors;

pub struct DueRow {
    pub citizen_id: String,
    pub name: String,
    pub what: &'static str,
    pub due_on: String,
    pub held: bool,
}

pub struct HoldRow {
    pub id: String,
    pub citizen_id: String,
    pub name: String,
    pub reason: String,
    pub held_by: String,
    pub held_on: String,
    pub review_by: String,
    /// "I kraft", "Skal genovervejes" (within 30 days) or "Udløbet".
    pub status: &'static str,
    pub lapsed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "retention/page.html")]
pub struct RetentionView {
    pub page: Page,
    pub due: Vec<DueRow>,
    pub holds: Vec<HoldRow>,
    /// The citizens a hold may be placed on: those due and not held.
    pub citizens: Vec<(String, String)>,
    pub citizen: String,
    pub reason: String,
    /// The hold form's one-time key (kept when the form comes back with messages).
    pub form_key: String,
    pub errors: FieldErrors,
}

impl RetentionView {
    pub fn new(
        page: Page,
        today: Date,
        due: Vec<Due>,
        holds: Vec<Hold>,
        entered: super::HoldForm,
        errors: FieldErrors,
    ) -> RetentionView {
        let t = page.t;
        let soon = today + Duration::days(HORIZON_DAYS);
        RetentionView {
            citizens: due
                .iter()
                .filter(|d| !d.held)
                .map(|d| (d.citizen_id.to_string(), d.name.clone()))
                .collect(),
            due: due
                .into_iter()
                .map(|d| DueRow {
                    citizen_id: d.citizen_id.to_string(),
                    name: d.name,
                    what: if d.anonymise {
                        t.retention.anonymised
                    } else {
                        t.retention.deleted
                    },
                    due_on: clock::format_date(d.due_on),
                    held: d.held,
                })
                .collect(),
            holds: holds
                .into_iter()
                .map(|h| HoldRow {
                    id: h.id.to_string(),
                    citizen_id: h.citizen_id.to_string(),
                    name: h.citizen_name,
                    reason: h.reason,
                    held_by: h.held_by,
                    held_on: clock::format_date(h.renewed_on.unwrap_or(h.held_on)),
                    review_by: clock::format_date(h.review_by),
                    status: if h.review_by < today {
                        t.retention.status_lapsed
                    } else if h.review_by <= soon {
                        t.retention.status_review_soon
                    } else {
                        t.retention.status_in_force
                    },
                    lapsed: h.review_by < today,
                })
                .collect(),
            citizen: entered.citizen,
            reason: entered.reason,
            form_key: entered
                .form_key
                .unwrap_or_else(uuid::Uuid::new_v4)
                .to_string(),
            errors,
            page: page
                .titled(t.retention.title)
                .crumb(t.common.nav_start, "/")
                .crumb(t.retention.title, "/sletning"),
        }
    }
}
