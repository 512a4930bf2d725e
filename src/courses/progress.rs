//! A course's progress: the 1–10 ratings and each party's 0–10 scale over time, and the
//! pre and post measurements side by side — as SVG charts with the same numbers in tables.

use crate::clock;
use crate::i18n::Messages;
use crate::tools::repo::Point;
use crate::vocab::{MeasurementKind, Scale, ToolPhase};
use crate::web::chart::{self, Series};

/// A change of at least this many points on WHO-5 (0–100) is meaningful.
pub const MEANINGFUL_CHANGE: f64 = 10.0;
/// A WHO-5 score at or below this flags low wellbeing.
pub const LOW_WELLBEING: f64 = 50.0;

pub struct PrePost {
    pub label: &'static str,
    pub pre: String,
    pub post: String,
    pub change: String,
    pub note: &'static str,
}

pub struct Progress {
    pub progress_chart: String,
    pub progress_rows: Vec<(String, String)>,
    pub risk_chart: String,
    pub risk_rows: Vec<(String, String, String, String)>,
    pub prepost: Vec<PrePost>,
    pub legend: Vec<(&'static str, String)>,
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn series(points: &[Point], kind: MeasurementKind, label: &str) -> Series {
    Series {
        label: label.to_string(),
        points: points
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| (p.measured_on, p.value))
            .collect(),
    }
}

pub fn build(points: &[Point], t: &'static Messages) -> Progress {
    let progress = series(points, MeasurementKind::Progress, t.common.progress_rating);
    let progress_rows = progress
        .points
        .iter()
        .map(|(d, v)| (clock::format_date(*d), number(*v)))
        .collect();
    let progress_chart = if progress.points.is_empty() {
        String::new()
    } else {
        let description = progress
            .points
            .iter()
            .map(|(d, v)| format!("{}: {}", clock::format_date(*d), number(*v)))
            .collect::<Vec<_>>()
            .join(", ");
        chart::line_chart(
            "progress-chart",
            t.courses.progress_chart_title,
            &description,
            std::slice::from_ref(&progress),
            1.0,
            10.0,
        )
    };
    let parties = [
        (MeasurementKind::RiskMentor, t.courses.party_member),
        (MeasurementKind::RiskCitizen, t.courses.party_citizen),
        (MeasurementKind::RiskParents, t.courses.party_parents),
    ];
    let risk: Vec<Series> = parties
        .iter()
        .map(|(kind, label)| series(points, *kind, label))
        .filter(|s| !s.points.is_empty())
        .collect();
    let mut dates: Vec<time::Date> = risk
        .iter()
        .flat_map(|s| s.points.iter().map(|(d, _)| *d))
        .collect();
    dates.sort();
    dates.dedup();
    let value_on = |kind: MeasurementKind, date: time::Date| {
        points
            .iter()
            .find(|p| p.kind == kind && p.measured_on == date)
            .map(|p| number(p.value))
            .unwrap_or_default()
    };
    let risk_rows = dates
        .iter()
        .map(|d| {
            (
                clock::format_date(*d),
                value_on(MeasurementKind::RiskMentor, *d),
                value_on(MeasurementKind::RiskCitizen, *d),
                value_on(MeasurementKind::RiskParents, *d),
            )
        })
        .collect();
    let risk_chart = if risk.is_empty() {
        String::new()
    } else {
        chart::line_chart(
            "risk-chart",
            t.courses.risk_chart_title,
            t.courses.risk_chart_description,
            &risk,
            0.0,
            10.0,
        )
    };
    let latest = |kind: MeasurementKind| {
        points
            .iter()
            .filter(|p| p.kind == kind)
            .max_by_key(|p| p.measured_on)
            .map(|p| p.value)
    };
    let prepost = [
        (Scale::Wellbeing, t.common.wellbeing_who5),
        (Scale::Mastery, t.common.life_mastery),
    ]
    .into_iter()
    .filter_map(|(scale, label)| {
        let pre = latest(MeasurementKind::scored(scale, ToolPhase::Pre));
        let post = latest(MeasurementKind::scored(scale, ToolPhase::Post));
        if pre.is_none() && post.is_none() {
            return None;
        }
        let change = pre.zip(post).map(|(a, b)| b - a);
        let note = match (scale, change, post.or(pre)) {
            (_, Some(c), _) if c.abs() >= MEANINGFUL_CHANGE => t.courses.meaningful_change,
            (Scale::Wellbeing, _, Some(score)) if score <= LOW_WELLBEING => t.courses.low_wellbeing,
            _ => "",
        };
        Some(PrePost {
            label,
            pre: pre.map(number).unwrap_or_default(),
            post: post.map(number).unwrap_or_default(),
            change: change
                .map(|c| format!("{}{}", if c > 0.0 { "+" } else { "" }, number(c)))
                .unwrap_or_default(),
            note,
        })
    })
    .collect();
    Progress {
        progress_chart,
        progress_rows,
        legend: chart::legend(&risk),
        risk_chart,
        risk_rows,
        prepost,
    }
}
