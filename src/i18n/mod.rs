//! The message catalogues: every text a user sees, one catalogue per language.
//!
//! A catalogue is a `Messages` value, so the compiler refuses a language that lacks a
//! message. It holds one sub-catalogue per feature (`common` for the layout and texts shared
//! by several pages). Templates read `page.t.feature.some_message`; handlers pick validation
//! messages from the same catalogue.

mod account;
mod applications;
mod audit;
mod calendar;
mod citizens;
mod coaching;
mod common;
mod corps;
mod courses;
mod da;
mod dashboards;
mod en;
mod exports;
mod home;
mod insight;
mod loans;
mod login;
mod mail;
mod matching;
mod municipalities;
mod retention;
mod sessions;
mod staff;
mod statistics;
mod tools;
mod training;

pub use account::AccountMessages;
pub use applications::ApplicationMessages;
pub use audit::AuditMessages;
pub use calendar::CalendarMessages;
pub use citizens::CitizenMessages;
pub use coaching::CoachingMessages;
pub use common::CommonMessages;
pub use corps::CorpsMessages;
pub use courses::CourseMessages;
pub use dashboards::DashboardMessages;
pub use exports::ExportMessages;
pub use home::HomeMessages;
pub use insight::InsightMessages;
pub use loans::LoanMessages;
pub use login::LoginMessages;
pub use mail::MailMessages;
pub use matching::MatchingMessages;
pub use municipalities::MunicipalityMessages;
pub use retention::RetentionMessages;
pub use sessions::SessionMessages;
pub use staff::StaffMessages;
pub use statistics::StatisticsMessages;
pub use tools::ToolMessages;
pub use training::TrainingMessages;

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
    /// Layout, menu, buttons, tables, error pages and texts shared by several pages.
    pub common: CommonMessages,
    /// The login page, the session and the password rules.
    pub login: LoginMessages,
    /// The start pages.
    pub home: HomeMessages,
    /// The account page.
    pub account: AccountMessages,
    /// Municipalities and their coordinators.
    pub municipalities: MunicipalityMessages,
    /// Staff accounts.
    pub staff: StaffMessages,
    /// The audit log and its action labels.
    pub audit: AuditMessages,
    /// Citizens, consents, relations and conflicts.
    pub citizens: CitizenMessages,
    /// Courses, sessions, tools on a course, measurements and handover.
    pub courses: CourseMessages,
    /// Matching a course with a corps member.
    pub matching: MatchingMessages,
    /// Corps members and their profiles.
    pub corps: CorpsMessages,
    /// The coaching log.
    pub coaching: CoachingMessages,
    /// The LAT tools.
    pub tools: ToolMessages,
    /// Data exports.
    pub exports: ExportMessages,
    /// The municipal and national overviews.
    pub dashboards: DashboardMessages,
    /// Application rounds and applications.
    pub apps: ApplicationMessages,
    /// Loans between municipalities.
    pub loans: LoanMessages,
    pub training: TrainingMessages,
    /// Notices, mails, the inbox and the mail preferences.
    pub mail: MailMessages,
    /// Next meetings on the course page and the private calendar feed.
    pub calendar: CalendarMessages,
    /// The idle-timeout warning and the list of where the user is logged in.
    pub sessions: SessionMessages,
    /// Retention: what is anonymised or deleted soon, and legal holds.
    pub retention: RetentionMessages,
    /// A citizen's access log, the letter and the data extract; the check of reads.
    pub insight: InsightMessages,
    /// Open statistics: API tokens, the statistics API, the national page's pictures.
    pub statistics: StatisticsMessages,
}

impl Messages {
    /// The label of an audit-log action code; unknown codes are shown as they are.
    pub fn action_label<'a>(&'static self, action: &'a str) -> &'a str {
        match action {
            "login_succeeded" => self.audit.action_login_succeeded,
            "login_failed" => self.audit.action_login_failed,
            "login_throttled" => self.audit.action_login_throttled,
            "logout" => self.audit.action_logout,
            "password_changed" => self.audit.action_password_changed,
            "password_reset" => self.audit.action_password_reset,
            "locale_changed" => self.audit.action_locale_changed,
            "user_created" => self.audit.action_user_created,
            "user_updated" => self.audit.action_user_updated,
            "user_deactivated" => self.audit.action_user_deactivated,
            "user_reactivated" => self.audit.action_user_reactivated,
            "municipality_created" => self.audit.action_municipality_created,
            "audit_log_exported" => self.audit.action_audit_log_exported,
            "data_exported" => self.audit.action_data_exported,
            "tool_filled" => self.audit.action_tool_filled,
            "tool_read" => self.audit.action_tool_read,
            "citizen_list_read" => self.audit.action_citizen_list_read,
            "citizen_read" => self.audit.action_citizen_read,
            "citizen_created" => self.audit.action_citizen_created,
            "citizen_updated" => self.audit.action_citizen_updated,
            "consent_recorded" => self.audit.action_consent_recorded,
            "consent_withdrawn" => self.audit.action_consent_withdrawn,
            "relation_added" => self.audit.action_relation_added,
            "conflict_recorded" => self.audit.action_conflict_recorded,
            "course_list_read" => self.audit.action_course_list_read,
            "course_read" => self.audit.action_course_read,
            "course_created" => self.audit.action_course_created,
            "course_matched" => self.audit.action_course_matched,
            "course_state_changed" => self.audit.action_course_state_changed,
            "course_cancelled" => self.audit.action_course_cancelled,
            "matching_read" => self.audit.action_matching_read,
            "session_logged" => self.audit.action_session_logged,
            "session_read" => self.audit.action_session_read,
            "session_changed" => self.audit.action_session_changed,
            "handover_read" => self.audit.action_handover_read,
            "next_meeting_set" => self.audit.action_next_meeting_set,
            "calendar_link_created" => self.audit.action_calendar_link_created,
            "calendar_link_revoked" => self.audit.action_calendar_link_revoked,
            other => self
                .apps
                .action_label(other)
                .or_else(|| self.loans.action_label(other))
                .or_else(|| self.training.action_label(other))
                .or_else(|| self.mail.action_label(other))
                .or_else(|| self.sessions.action_label(other))
                .or_else(|| self.retention.action_label(other))
                .or_else(|| self.login.action_label(other))
                .or_else(|| self.insight.action_label(other))
                .or_else(|| self.statistics.action_label(other))
                .unwrap_or(other),
        }
    }

    pub fn region_label(&'static self, region: &str) -> &'static str {
        match region {
            "hovedstaden" => self.common.region_hovedstaden,
            "sjaelland" => self.common.region_sjaelland,
            "syddanmark" => self.common.region_syddanmark,
            "midtjylland" => self.common.region_midtjylland,
            "nordjylland" => self.common.region_nordjylland,
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
}
