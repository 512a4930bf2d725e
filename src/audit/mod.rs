//! The append-only audit log: who did what, when, to which record, from where, and why.
//! Every read and change of a citizen's data goes through `record`; so do logins and
//! administration. PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the table.

mod done;
mod reads;
pub mod repo;

pub use done::Done;
pub use reads::{Reads, write as write_reads};

use uuid::Uuid;

use crate::db::TenantTx;
use crate::web::client::ClientAddr;

/// The action codes written so far; each has a label in the catalogues.
pub const ACTIONS: &[&str] = &[
    "login_succeeded",
    "login_failed",
    "login_throttled",
    "login_code_failed",
    "second_factor_enrolled",
    "second_factor_reset",
    "second_factor_requirement_changed",
    "recovery_codes_renewed",
    "password_chosen",
    "password_reset_requested",
    "logout",
    "password_changed",
    "password_reset",
    "locale_changed",
    "user_created",
    "user_updated",
    "user_deactivated",
    "user_reactivated",
    "municipality_created",
    "application_round_created",
    "application_round_updated",
    "application_round_opened",
    "application_round_closed",
    "application_started",
    "application_saved",
    "application_submitted",
    "application_partner_added",
    "application_partner_removed",
    "application_partner_confirmed",
    "application_file_downloaded",
    "application_scored",
    "application_decided",
    "training_cohort_created",
    "training_cohort_updated",
    "training_module_added",
    "training_nominated",
    "training_nomination_withdrawn",
    "training_attendance_recorded",
    "member_trained",
    "member_training_reverted",
    "corps_event_created",
    "corps_event_attendance_recorded",
    "corps_roster_exported",
    "audit_log_exported",
    "citizen_list_read",
    "citizen_read",
    "citizen_created",
    "citizen_updated",
    "consent_recorded",
    "consent_withdrawn",
    "relation_added",
    "conflict_recorded",
    "course_list_read",
    "course_read",
    "course_created",
    "course_matched",
    "course_state_changed",
    "course_cancelled",
    "matching_read",
    "session_logged",
    "session_read",
    "session_changed",
    "handover_read",
    "next_meeting_set",
    "calendar_link_created",
    "calendar_link_revoked",
    "api_token_created",
    "api_token_revoked",
    "tool_filled",
    "tool_read",
    "data_exported",
    "loan_requested",
    "loan_withdrawn",
    "loan_forwarded",
    "loan_declined",
    "loan_agreed",
    "loan_assigned",
    "loan_ended",
    "loan_read",
    "mail_resent",
    "mail_preferences_changed",
    "sessions_ended",
    "retention_run",
    "retention_due_read",
    "retention_hold_placed",
    "retention_hold_renewed",
    "retention_hold_released",
    "citizen_access_log_read",
    "citizen_access_log_exported",
    "citizen_access_letter_made",
    "citizen_extract_read",
    "citizen_extract_exported",
    "access_check_read",
];

/// One entry. `details` holds ids and field names only, never the data itself.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: &'static str,
    pub subject_type: Option<&'static str>,
    pub subject_id: Option<Uuid>,
    /// The citizen whose data this entry read or changed (the per-citizen access log).
    pub citizen_id: Option<Uuid>,
    pub purpose: Option<&'a str>,
    pub details: serde_json::Value,
    /// The municipality the subject belongs to, when the caller knows it may differ from
    /// the actor's (a lent member's course): that municipality's log gets the entry too.
    pub owner: Option<Uuid>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'static str) -> Self {
        debug_assert!(
            ACTIONS.contains(&action),
            "audit action {action} is not in ACTIONS"
        );
        Event {
            action,
            subject_type: None,
            subject_id: None,
            citizen_id: None,
            purpose: None,
            details: serde_json::Value::Null,
            owner: None,
        }
    }

    /// The event concerns a course of `owner`: a lent member works on a course of another
    /// municipality, whose log must show who read or changed its citizen's data.
    pub fn course(mut self, id: Uuid, owner: Uuid) -> Self {
        self.subject_type = Some("course");
        self.subject_id = Some(id);
        self.owner = Some(owner);
        self
    }

    /// The entry is about `id`, of kind `kind`; a citizen subject is also the citizen the
    /// entry names (see [`Event::citizen`]).
    pub fn subject(mut self, kind: &'static str, id: Uuid) -> Self {
        self.subject_type = Some(kind);
        self.subject_id = Some(id);
        if kind == "citizen" {
            self.citizen_id = Some(id);
        }
        self
    }

    /// The entry reads or changes `citizen`'s data.
    pub fn citizen(mut self, citizen: Uuid) -> Self {
        self.citizen_id = Some(citizen);
        self
    }

    /// Why the data was read or changed (GDPR art. 30: the purpose of processing).
    pub fn purpose(mut self, purpose: &'a str) -> Self {
        self.purpose = Some(purpose);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Records `event` as done by the transaction's user in the transaction's municipality.
/// This is the one call features use to log a read or a change of a citizen's data.
pub async fn record(
    tx: &mut TenantTx,
    addr: ClientAddr,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    let scope = tx.scope();
    repo::insert(tx, scope.municipality_id(), scope.user_id(), addr, &event).await?;
    if event.owner.is_some() && event.owner != scope.municipality_id() {
        repo::insert(tx, event.owner, scope.user_id(), addr, &event).await?;
    }
    Ok(())
}

/// Records `event` against an explicit municipality and actor (logins, where the
/// transaction has no tenant yet).
pub async fn record_for(
    tx: &mut TenantTx,
    municipality_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    addr: ClientAddr,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    repo::insert(tx, municipality_id, actor_id, addr, &event).await
}

#[cfg(test)]
mod tests {
    use super::ACTIONS;
    use crate::i18n::Locale;

    #[test]
    fn every_action_has_a_label_in_both_languages() {
        for action in ACTIONS {
            for locale in [Locale::Da, Locale::En] {
                assert_ne!(
                    locale.messages().action_label(action),
                    *action,
                    "{action} lacks a label"
                );
            }
        }
    }
}
