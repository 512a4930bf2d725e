//! The open statistics' rules, without I/O: API tokens (made, hashed, read from a
//! header) and the figures of the national page as the API serializes them — the same
//! strings the page shows ("<5", "67 %", "–"), never a raw count behind them.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dashboards::aggregate::{National, Place};
use crate::dashboards::model::ShownFigures;
use crate::dashboards::pictures::YearCount;
use crate::dashboards::repo::Filter;
use crate::i18n::Messages;
use crate::vocab::CourseState;
use crate::web::forms::FieldErrors;

/// The longest label of a token (the database refuses longer ones too).
pub const NAME_MAX: usize = 100;

/// A new token: 32 random bytes as 64 hex digits.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored of a token: its SHA-256.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The hash of a bearer token, if it is well formed (64 lower-case hex digits).
pub fn token_hash_of(token: &str) -> Option<Vec<u8>> {
    let well_formed = token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then(|| hash(token))
}

/// A token's label: trimmed, required, at most 100 characters.
pub fn token_name(name: &str, t: &'static Messages) -> Result<String, FieldErrors> {
    let name = name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("name", t.statistics.token_name_required);
    } else if name.chars().count() > NAME_MAX {
        errors.add("name", t.statistics.token_name_too_long);
    }
    if errors.is_empty() {
        Ok(name.to_string())
    } else {
        Err(errors)
    }
}

// The figures as the API gives them. The keys are a contract (README, "Open statistics"):
// add keys, never rename or remove one.

#[derive(Debug, Serialize)]
pub struct Statistics {
    /// The period the figures cover, as ISO dates.
    pub from: String,
    pub to: String,
    /// The course kind's code, or "" for every kind.
    pub kind: String,
    /// When the figures were read from the database (RFC 3339); they may lag up to 5
    /// minutes behind it.
    pub figures_as_of: String,
    /// The chosen area of the detail figures: its `area` value ("" the country) and name.
    pub area: AreaRef,
    pub suppression: &'static str,
    pub areas: Vec<AreaOut>,
    pub courses_by_kind_and_state: Vec<KindOut>,
    pub courses_by_state: Vec<StateOut>,
    pub progress_by_month: Vec<MonthOut>,
    pub background: Vec<BackgroundOut>,
    pub loans: Vec<LoanOut>,
    pub courses_per_year: Vec<YearOut>,
}

#[derive(Debug, Serialize)]
pub struct AreaRef {
    pub area: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct AreaOut {
    pub area: String,
    /// "region", "municipality" or "country".
    pub level: &'static str,
    pub name: String,
    pub corps_members: String,
    pub trained_members: String,
    pub courses: String,
    pub active_courses: String,
    pub rated_share: String,
    pub measured_share: String,
    pub wellbeing_change: String,
    pub wellbeing_courses: String,
    pub mastery_change: String,
    pub mastery_courses: String,
}

#[derive(Debug, Serialize)]
pub struct KindOut {
    pub kind: &'static str,
    pub name: &'static str,
    pub states: Vec<StateOut>,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct StateOut {
    pub state: &'static str,
    pub name: &'static str,
    pub courses: String,
}

#[derive(Debug, Serialize)]
pub struct MonthOut {
    /// "2026-11".
    pub month: String,
    pub average_rating: String,
    pub ratings: String,
}

#[derive(Debug, Serialize)]
pub struct BackgroundOut {
    pub age_band: String,
    pub gender: String,
    pub courses: String,
}

#[derive(Debug, Serialize)]
pub struct LoanOut {
    pub municipality: String,
    pub received: String,
    pub lent: String,
    pub hours: String,
}

#[derive(Debug, Serialize)]
pub struct YearOut {
    pub year: i32,
    pub courses: String,
}

fn place_name(t: &'static Messages, place: Place<'_>) -> String {
    match place {
        Place::Municipality(m) => m.name.clone(),
        Place::Region(region) => t.region_label(region).to_string(),
        Place::Country => t.dashboards.whole_country.to_string(),
    }
}

fn area_out(t: &'static Messages, place: Place<'_>, f: &ShownFigures) -> AreaOut {
    AreaOut {
        area: place.code(),
        level: place.level(),
        name: place_name(t, place),
        corps_members: f.members.clone(),
        trained_members: f.trained.clone(),
        courses: f.courses.clone(),
        active_courses: f.active.clone(),
        rated_share: f.rated.clone(),
        measured_share: f.measured.clone(),
        wellbeing_change: f.wellbeing.clone(),
        wellbeing_courses: f.wellbeing_courses.clone(),
        mastery_change: f.mastery.clone(),
        mastery_courses: f.mastery_courses.clone(),
    }
}

/// The national page's figures for the API, from the same `aggregate::national` output
/// the page renders (names in `t`'s language).
pub fn statistics(
    t: &'static Messages,
    filter: &Filter,
    read_at: time::OffsetDateTime,
    national: &National<'_>,
    years: &[YearCount],
) -> Statistics {
    let chosen = national.chosen.unwrap_or(Place::Country);
    Statistics {
        from: filter.from.to_string(),
        to: filter.to.to_string(),
        kind: filter.kind.clone(),
        figures_as_of: read_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        area: AreaRef {
            area: chosen.code(),
            name: place_name(t, chosen),
        },
        suppression: t.statistics.suppression_note,
        areas: national
            .lines
            .iter()
            .map(|line| area_out(t, line.place, &line.figures))
            .collect(),
        courses_by_kind_and_state: national
            .table
            .rows
            .iter()
            .map(|(kind, cells, total)| KindOut {
                kind: kind.code(),
                name: kind.label(t),
                states: CourseState::ALL
                    .iter()
                    .zip(cells)
                    .map(|(state, courses)| StateOut {
                        state: state.code(),
                        name: state.label(t),
                        courses: courses.clone(),
                    })
                    .collect(),
                total: total.clone(),
            })
            .collect(),
        courses_by_state: national
            .table
            .state_totals
            .iter()
            .map(|(state, _, shown)| StateOut {
                state: state.code(),
                name: state.label(t),
                courses: shown.clone(),
            })
            .collect(),
        progress_by_month: national
            .trend
            .iter()
            .map(|m| MonthOut {
                month: format!("{}-{:02}", m.month.year(), u8::from(m.month.month())),
                average_rating: format!("{:.1}", m.average),
                ratings: m.ratings.to_string(),
            })
            .collect(),
        background: national
            .background
            .iter()
            .flatten()
            .map(|b| BackgroundOut {
                age_band: b.band.clone(),
                gender: b.gender.clone(),
                courses: b.count.clone(),
            })
            .collect(),
        loans: national
            .loans
            .iter()
            .map(|(m, l)| LoanOut {
                municipality: m.name.clone(),
                received: l.received.to_string(),
                lent: l.lent.to_string(),
                hours: crate::loans::model::hours(l.hours),
            })
            .collect(),
        courses_per_year: years
            .iter()
            .map(|y| YearOut {
                year: y.year,
                courses: y.courses.clone(),
            })
            .collect(),
    }
}

/// The CSV's header, in `t`'s language.
pub fn csv_header(t: &'static Messages) -> [&'static str; 5] {
    let s = &t.statistics;
    [
        s.csv_table,
        s.csv_area,
        s.csv_category,
        s.csv_measure,
        s.csv_value,
    ]
}

/// The same figures as rows of one long table: (table, area, category, measure, value),
/// so every figure of the page is one row a spreadsheet can filter.
pub fn csv_rows(t: &'static Messages, s: &Statistics) -> Vec<Vec<String>> {
    let m = &t.statistics;
    let d = &t.dashboards;
    let mut rows = Vec::new();
    let mut push = |table: &str, area: &str, category: &str, measure: &str, value: &str| {
        rows.push(vec![
            table.to_string(),
            area.to_string(),
            category.to_string(),
            measure.to_string(),
            value.to_string(),
        ]);
    };
    for a in &s.areas {
        let level = match a.level {
            "region" => m.region,
            "municipality" => t.loans.municipality,
            _ => d.whole_country,
        };
        for (measure, value) in [
            (d.corps_members_count, &a.corps_members),
            (d.trained_count, &a.trained_members),
            (d.courses_in_period, &a.courses),
            (d.active_courses, &a.active_courses),
            (d.completeness_rated, &a.rated_share),
            (d.completeness_measured, &a.measured_share),
            (t.common.wellbeing_who5, &a.wellbeing_change),
            (t.common.life_mastery, &a.mastery_change),
        ] {
            push(m.csv_areas, &a.name, level, measure, value);
        }
    }
    let area = s.area.name.as_str();
    for k in &s.courses_by_kind_and_state {
        for state in &k.states {
            push(m.csv_kind_state, area, k.name, state.name, &state.courses);
        }
        push(m.csv_kind_state, area, k.name, d.in_all, &k.total);
    }
    for month in &s.progress_by_month {
        push(
            m.csv_progress,
            area,
            &month.month,
            d.average_rating,
            &month.average_rating,
        );
        push(
            m.csv_progress,
            area,
            &month.month,
            d.ratings_count,
            &month.ratings,
        );
    }
    for b in &s.background {
        let category = format!("{} / {}", b.age_band, b.gender);
        push(
            m.csv_background,
            area,
            &category,
            t.common.courses_title,
            &b.courses,
        );
    }
    for l in &s.loans {
        push(
            m.csv_loans,
            &l.municipality,
            "",
            d.national_loans_received,
            &l.received,
        );
        push(
            m.csv_loans,
            &l.municipality,
            "",
            d.national_loans_lent,
            &l.lent,
        );
        push(
            m.csv_loans,
            &l.municipality,
            "",
            t.loans.hours_logged,
            &l.hours,
        );
    }
    for y in &s.courses_per_year {
        push(
            m.csv_years,
            area,
            &y.year.to_string(),
            m.courses,
            &y.courses,
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_token_is_64_hex_digits_and_only_its_hash_is_kept() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token());
        assert_eq!(token_hash_of(&token), Some(hash(&token)));
        assert_eq!(hash(&token).len(), 32);
        assert_eq!(token_hash_of(&token[1..]), None);
        assert_eq!(token_hash_of(&token.to_uppercase()), None);
        assert_eq!(token_hash_of("' OR 1=1 --"), None);
    }

    #[test]
    fn a_token_needs_a_name_of_at_most_100_characters() {
        let t = Locale::Da.messages();
        assert_eq!(token_name("  Årsrapport ", t).unwrap(), "Årsrapport");
        let empty = token_name("   ", t).unwrap_err();
        assert_eq!(empty.get("name"), Some(t.statistics.token_name_required));
        let long = token_name(&"æ".repeat(101), t).unwrap_err();
        assert_eq!(long.get("name"), Some(t.statistics.token_name_too_long));
        assert!(token_name(&"æ".repeat(100), t).is_ok());
    }
}
