//! Loans between municipalities, without I/O: the states, the request form's rules and
//! the settlement.

use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use crate::i18n::Messages;
use crate::vocab::CourseKind;
use crate::web::forms::{FieldErrors, parse_date};

crate::vocab::coded_enum!(
    /// requested → forwarded (by the national centre) → agreed (the lending coordinator
    /// accepted with a member) → ended; or declined (forwarded again later) or withdrawn.
    LoanState {
        Requested = "requested",
        Forwarded = "forwarded",
        Declined = "declined",
        Agreed = "agreed",
        Ended = "ended",
        Withdrawn = "withdrawn",
    }
);

impl LoanState {
    pub fn label(self, t: &'static Messages) -> &'static str {
        let l = &t.loans;
        match self {
            LoanState::Requested => l.state_requested,
            LoanState::Forwarded => l.state_forwarded,
            LoanState::Declined => l.state_declined,
            LoanState::Agreed => l.state_agreed,
            LoanState::Ended => l.state_ended,
            LoanState::Withdrawn => l.state_withdrawn,
        }
    }

    /// Still waiting for the national centre or the lending municipality.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            LoanState::Requested | LoanState::Forwarded | LoanState::Declined
        )
    }
}

/// The request as typed: general terms only, never who the citizen is.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub period_from: String,
    #[serde(default)]
    pub period_to: String,
    #[serde(default)]
    pub hours_per_week: String,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

pub struct Request {
    pub needs: String,
    pub languages: Vec<String>,
    pub period_from: Date,
    pub period_to: Date,
    pub hours_per_week: f64,
}

/// A decimal as Danes write it: "2,5" or "2.5".
pub fn parse_decimal(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok()
}

/// Checks a request; the messages are keyed by field.
pub fn validate_request(
    form: &RequestForm,
    t: &'static Messages,
    today: Date,
) -> Result<Request, FieldErrors> {
    let l = &t.loans;
    let mut errors = FieldErrors::default();
    let needs = form.needs.trim().to_string();
    if needs.is_empty() {
        errors.add("needs", l.needs_required);
    } else if needs.chars().count() > 2000 {
        errors.add("needs", l.needs_too_long);
    }
    let date = |text: &str, errors: &mut FieldErrors, field: &'static str| {
        if text.trim().is_empty() {
            errors.add(field, l.date_required);
            return None;
        }
        let parsed = parse_date(text);
        if parsed.is_none() {
            errors.add(field, t.common.date_invalid);
        }
        parsed
    };
    let from = date(&form.period_from, &mut errors, "period_from");
    let to = date(&form.period_to, &mut errors, "period_to");
    if let Some(from) = from
        && from < today
    {
        errors.add("period_from", l.period_in_past);
    }
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.add("period_to", l.period_order);
    }
    let hours = parse_decimal(&form.hours_per_week);
    match hours {
        None if form.hours_per_week.trim().is_empty() => {
            errors.add("hours_per_week", l.hours_required)
        }
        Some(h) if h > 0.0 && h <= 40.0 => {}
        _ => errors.add("hours_per_week", l.hours_invalid),
    }
    let languages: Vec<String> = form
        .languages
        .iter()
        .filter(|code| crate::vocab::LANGUAGES.contains(&code.as_str()))
        .cloned()
        .collect();
    match (from, to, hours) {
        (Some(period_from), Some(period_to), Some(hours_per_week)) if errors.is_empty() => {
            Ok(Request {
                needs,
                languages,
                period_from,
                period_to,
                hours_per_week,
            })
        }
        _ => Err(errors),
    }
}

/// Only mentor and parent-coaching courses are lent for: a relatives' network is run by
/// the municipality's own coaches.
pub fn may_request_for(kind: CourseKind) -> bool {
    matches!(kind, CourseKind::Mentor | CourseKind::ParentCoaching)
}

/// The settlement: hours × rate, in kroner, rounded to øre.
pub fn amount(hours: f64, rate: f64) -> f64 {
    (hours * rate * 100.0).round() / 100.0
}

/// Kroner as Danes write them: "12.345,50 kr."
pub fn kroner(amount: f64) -> String {
    let ore = (amount * 100.0).round() as i64;
    let (whole, fraction) = (ore / 100, (ore % 100).abs());
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if whole < 0 { "-" } else { "" };
    format!("{sign}{grouped},{fraction:02} kr.")
}

/// Hours with one decimal and a Danish comma: "12,5".
pub fn hours(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn form(from: &str, to: &str, hours: &str) -> RequestForm {
        RequestForm {
            needs: "Mentor med erfaring i ungemiljøer, taler arabisk.".into(),
            languages: vec!["ar".into(), "klingon".into()],
            period_from: from.into(),
            period_to: to.into(),
            hours_per_week: hours.into(),
            form_key: None,
        }
    }

    #[test]
    fn a_request_needs_a_period_ahead_in_order_and_sensible_hours() {
        let t = Locale::Da.messages();
        let ok = validate_request(&form("01-12-2026", "31-05-2027", "2,5"), t, TODAY).unwrap();
        assert_eq!(ok.hours_per_week, 2.5);
        assert_eq!(
            ok.languages,
            vec!["ar".to_string()],
            "unknown codes dropped"
        );
        let errors = validate_request(&form("01-11-2026", "01-10-2026", "0"), t, TODAY)
            .err()
            .unwrap();
        assert_eq!(errors.get("period_from"), Some(t.loans.period_in_past));
        assert_eq!(errors.get("period_to"), Some(t.loans.period_order));
        assert_eq!(errors.get("hours_per_week"), Some(t.loans.hours_invalid));
        let errors = validate_request(&RequestForm::default(), t, TODAY)
            .err()
            .unwrap();
        assert_eq!(errors.get("needs"), Some(t.loans.needs_required));
        assert_eq!(errors.get("period_to"), Some(t.loans.date_required));
        assert_eq!(errors.get("hours_per_week"), Some(t.loans.hours_required));
    }

    #[test]
    fn the_settlement_is_hours_times_rate_in_danish_kroner() {
        assert_eq!(amount(12.5, 389.0), 4862.5);
        assert_eq!(kroner(4862.5), "4.862,50 kr.");
        assert_eq!(kroner(1234567.0), "1.234.567,00 kr.");
        assert_eq!(kroner(0.0), "0,00 kr.");
        assert_eq!(hours(2.26), "2,3");
        assert_eq!(hours(10.0), "10,0");
    }

    #[test]
    fn only_mentor_and_parent_coaching_courses_are_lent_for() {
        assert!(may_request_for(CourseKind::Mentor));
        assert!(may_request_for(CourseKind::ParentCoaching));
        assert!(!may_request_for(CourseKind::RelativesNetwork));
    }
}
