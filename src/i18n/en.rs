//! English, selectable per user.

use super::Messages;

pub const EN: Messages = Messages {
    common: super::common::EN,
    login: super::login::EN,
    home: super::home::EN,
    account: super::account::EN,
    municipalities: super::municipalities::EN,
    staff: super::staff::EN,
    audit: super::audit::EN,
    citizens: super::citizens::EN,
    courses: super::courses::EN,
    matching: super::matching::EN,
    corps: super::corps::EN,
    coaching: super::coaching::EN,
    tools: super::tools::EN,
    exports: super::exports::EN,
    dashboards: super::dashboards::EN,
    apps: super::applications::EN,
    loans: super::loans::EN,
    training: super::training::EN,
    mail: super::mail::EN,
    calendar: super::calendar::EN,
    sessions: super::sessions::EN,
    retention: super::retention::EN,
    insight: super::insight::EN,
    statistics: super::statistics::EN,
};
