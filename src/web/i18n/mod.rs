//! The message catalogues: every text a user sees, one catalogue per language.
//!
//! A catalogue is a `Messages` value, so the compiler refuses a language that lacks a
//! message. Templates read `page.t.some_message`; handlers pick validation messages from
//! the same catalogue.

mod da;
mod en;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    Da,
    En,
}

impl Locale {
    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "da" => Some(Locale::Da),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Da => "da",
            Locale::En => "en",
        }
    }

    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::Da => &da::DA,
            Locale::En => &en::EN,
        }
    }
}

/// Fills `{}` placeholders in order.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(values.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

pub struct Messages {
    // Layout
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub owner_name: &'static str,
    pub skip_to_content: &'static str,
    pub main_menu: &'static str,
    pub open_menu: &'static str,
    pub close_menu: &'static str,
    pub breadcrumbs: &'static str,
    pub signed_in_as: &'static str,
    pub log_out: &'static str,
    pub log_in: &'static str,
    pub my_account: &'static str,
    pub accessibility_statement: &'static str,
    pub error_label: &'static str,
    pub success_label: &'static str,
    pub info_label: &'static str,
    pub error_summary_title: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub search: &'static str,
    pub filter: &'static str,
    pub clear_filters: &'static str,
    pub all: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub print: &'static str,
    pub back: &'static str,

    // Navigation
    pub nav_start: &'static str,
    pub nav_municipalities: &'static str,
    pub nav_staff: &'static str,
    pub nav_audit_log: &'static str,

    // Roles
    pub role_national: &'static str,
    pub role_coordinator: &'static str,
    pub role_mentor: &'static str,
    pub role_parent_coach: &'static str,

    // Regions
    pub region_hovedstaden: &'static str,
    pub region_sjaelland: &'static str,
    pub region_syddanmark: &'static str,
    pub region_midtjylland: &'static str,
    pub region_nordjylland: &'static str,

    // Tables and pagination
    pub pagination: &'static str,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub page_n_of_m: &'static str,
    pub showing_x_to_y_of_z: &'static str,
    pub sort_ascending: &'static str,
    pub sort_descending: &'static str,
    pub sortable_hint: &'static str,
    pub no_results: &'static str,

    // Login
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub enter_email: &'static str,
    pub enter_password: &'static str,
    pub logged_out: &'static str,
    pub session_expired: &'static str,
    pub cookies_required: &'static str,

    // Start pages
    pub start_title: &'static str,
    pub attention_heading: &'static str,
    pub start_national_heading: &'static str,
    pub start_national_applications: &'static str,
    pub start_national_applications_empty: &'static str,
    pub start_national_loans: &'static str,
    pub start_national_loans_empty: &'static str,
    pub start_national_training: &'static str,
    pub start_national_training_empty: &'static str,
    pub start_coordinator_heading: &'static str,
    pub start_coordinator_due: &'static str,
    pub start_coordinator_due_empty: &'static str,
    pub start_coordinator_waiting: &'static str,
    pub start_coordinator_waiting_empty: &'static str,
    pub start_coordinator_coaching: &'static str,
    pub start_coordinator_coaching_empty: &'static str,
    pub start_member_heading: &'static str,
    pub start_member_due: &'static str,
    pub start_member_due_empty: &'static str,
    pub start_member_courses: &'static str,
    pub start_member_courses_empty: &'static str,
    pub start_staff_count: &'static str,

    // Account
    pub account_title: &'static str,
    pub account_details: &'static str,
    pub language: &'static str,
    pub language_hint: &'static str,
    pub language_da: &'static str,
    pub language_en: &'static str,
    pub language_saved: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub password_hint: &'static str,
    pub password_too_short: &'static str,
    pub password_too_long: &'static str,
    pub passwords_differ: &'static str,
    pub current_password_wrong: &'static str,
    pub password_changed: &'static str,
    pub must_change_password: &'static str,
    pub your_roles: &'static str,
    pub your_municipality: &'static str,

    // Municipalities
    pub municipalities_title: &'static str,
    pub municipality: &'static str,
    pub municipality_name: &'static str,
    pub municipality_code: &'static str,
    pub municipality_code_hint: &'static str,
    pub region: &'static str,
    pub choose_region: &'static str,
    pub coordinators: &'static str,
    pub staff_count: &'static str,
    pub new_municipality: &'static str,
    pub create_municipality: &'static str,
    pub municipality_created: &'static str,
    pub enter_municipality_name: &'static str,
    pub municipality_code_invalid: &'static str,
    pub municipality_code_taken: &'static str,
    pub municipality_name_taken: &'static str,
    pub region_invalid: &'static str,
    pub new_coordinator: &'static str,
    pub create_coordinator: &'static str,
    pub coordinator_created: &'static str,
    pub no_coordinators: &'static str,
    pub search_municipalities: &'static str,

    // Staff accounts
    pub staff_title: &'static str,
    pub staff_intro: &'static str,
    pub name: &'static str,
    pub roles: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub new_staff: &'static str,
    pub create_staff: &'static str,
    pub edit_staff: &'static str,
    pub staff_created: &'static str,
    pub staff_updated: &'static str,
    pub search_staff: &'static str,
    pub search_staff_hint: &'static str,
    pub filter_role: &'static str,
    pub filter_status: &'static str,
    pub enter_name: &'static str,
    pub enter_valid_email: &'static str,
    pub email_taken: &'static str,
    pub choose_role: &'static str,
    pub staff_roles_hint: &'static str,
    pub deactivate: &'static str,
    pub reactivate: &'static str,
    pub deactivate_title: &'static str,
    pub deactivate_warning: &'static str,
    pub staff_deactivated: &'static str,
    pub staff_reactivated: &'static str,
    pub reset_password: &'static str,
    pub reset_password_title: &'static str,
    pub reset_password_warning: &'static str,
    pub temporary_password: &'static str,
    pub temporary_password_note: &'static str,
    pub password_was_reset: &'static str,
    pub cannot_manage_coordinator: &'static str,
    pub edited_by_someone_else: &'static str,
    pub your_version: &'static str,
    pub saved_version: &'static str,

    // Audit log
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub audit_at: &'static str,
    pub audit_actor: &'static str,
    pub audit_action: &'static str,
    pub audit_subject: &'static str,
    pub audit_purpose: &'static str,
    pub audit_address: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub date_hint: &'static str,
    pub date_invalid: &'static str,
    pub unknown_actor: &'static str,
    pub action_login_succeeded: &'static str,
    pub action_login_failed: &'static str,
    pub action_login_throttled: &'static str,
    pub action_logout: &'static str,
    pub action_password_changed: &'static str,
    pub action_password_reset: &'static str,
    pub action_locale_changed: &'static str,
    pub action_user_created: &'static str,
    pub action_user_updated: &'static str,
    pub action_user_deactivated: &'static str,
    pub action_user_reactivated: &'static str,
    pub action_municipality_created: &'static str,
    pub action_audit_log_exported: &'static str,
    pub export_csv: &'static str,

    // Error pages
    pub error_403_title: &'static str,
    pub error_403_text: &'static str,
    pub error_404_title: &'static str,
    pub error_404_text: &'static str,
    pub error_409_title: &'static str,
    pub error_409_text: &'static str,
    pub error_413_title: &'static str,
    pub error_413_text: &'static str,
    pub error_422_title: &'static str,
    pub error_422_text: &'static str,
    pub error_500_title: &'static str,
    pub error_500_text: &'static str,
    pub error_503_title: &'static str,
    pub error_503_text: &'static str,
    pub error_go_start: &'static str,

    // Accessibility statement
    pub a11y_title: &'static str,
    pub a11y_text: &'static str,
}

impl Messages {
    /// The label of an audit-log action code; unknown codes are shown as they are.
    pub fn action_label<'a>(&'static self, action: &'a str) -> &'a str {
        match action {
            "login_succeeded" => self.action_login_succeeded,
            "login_failed" => self.action_login_failed,
            "login_throttled" => self.action_login_throttled,
            "logout" => self.action_logout,
            "password_changed" => self.action_password_changed,
            "password_reset" => self.action_password_reset,
            "locale_changed" => self.action_locale_changed,
            "user_created" => self.action_user_created,
            "user_updated" => self.action_user_updated,
            "user_deactivated" => self.action_user_deactivated,
            "user_reactivated" => self.action_user_reactivated,
            "municipality_created" => self.action_municipality_created,
            "audit_log_exported" => self.action_audit_log_exported,
            other => other,
        }
    }

    pub fn region_label(&'static self, region: &str) -> &'static str {
        match region {
            "hovedstaden" => self.region_hovedstaden,
            "sjaelland" => self.region_sjaelland,
            "syddanmark" => self.region_syddanmark,
            "midtjylland" => self.region_midtjylland,
            "nordjylland" => self.region_nordjylland,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_placeholders_in_order() {
        assert_eq!(fill("Side {} af {}", &["2", "7"]), "Side 2 af 7");
        assert_eq!(fill("ingen", &["x"]), "ingen");
    }

    #[test]
    fn every_audit_action_has_a_label_in_both_languages() {
        for action in crate::audit::ACTIONS {
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
