//! Dansk — the default language of Korps.

use super::Messages;

pub const DA: Messages = Messages {
    common: super::common::DA,
    login: super::login::DA,
    home: super::home::DA,
    account: super::account::DA,
    municipalities: super::municipalities::DA,
    staff: super::staff::DA,
    audit: super::audit::DA,
    citizens: super::citizens::DA,
    courses: super::courses::DA,
    matching: super::matching::DA,
    corps: super::corps::DA,
    coaching: super::coaching::DA,
    tools: super::tools::DA,
    exports: super::exports::DA,
    dashboards: super::dashboards::DA,
    apps: super::applications::DA,
    loans: super::loans::DA,
    training: super::training::DA,
    mail: super::mail::DA,
    calendar: super::calendar::DA,
    sessions: super::sessions::DA,
    retention: super::retention::DA,
    insight: super::insight::DA,
    statistics: super::statistics::DA,
};
