//! The national dashboard's pictures (issue 14, point 5): the five regions side by side
//! (small multiples: one bar chart per main figure, a bar per region) and the corps'
//! trend over years (courses per year), each with the same figures in a table.
//!
//! Pictures draw only what the page shows: a figure shown as a number gets a bar of that
//! length, a protected one ("<5") a bar without length, so no length gives a count away.
//! Every count is protected by `model::Count`, the one place of the disclosure method.

use super::aggregate::{Chosen, National, NationalRows, Place};
use super::model::{Count, ShownFigures};
use super::repo::CoursesPerYear;
use crate::i18n::Messages;
use crate::vocab::REGIONS;
use crate::web::chart::{self, Bar};

/// The length a figure may be drawn with: its value when it is shown as a number, none
/// when it is protected ("<5") or not shown ("–").
pub fn drawable(shown: &str) -> Option<f64> {
    shown.trim().parse::<f64>().ok()
}

/// Courses referred in a year, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCount {
    pub year: i32,
    pub courses: String,
}

/// The chosen area's courses per year, oldest year first: each municipality's count of a
/// year protected, the area's the sum of those.
pub fn years(rows: &NationalRows, per_year: &[CoursesPerYear], area: &str) -> Vec<YearCount> {
    let chosen = Chosen::of(&rows.municipalities, area);
    let mut totals: Vec<(i32, Count)> = Vec::new();
    for row in per_year
        .iter()
        .filter(|r| chosen.contains(&r.municipality_id))
    {
        let count = Count::protect(row.courses);
        match totals.iter_mut().find(|(year, _)| *year == row.year) {
            Some(total) => total.1.add(count),
            None => totals.push((row.year, count)),
        }
    }
    totals.sort_by_key(|(year, _)| *year);
    totals
        .into_iter()
        .map(|(year, courses)| YearCount {
            year,
            courses: courses.shown(),
        })
        .collect()
}

/// Each of the five regions with its figures as the national table shows them; a region
/// without municipalities in Korps shows zeros.
pub fn regions(national: &National<'_>) -> Vec<(&'static str, ShownFigures)> {
    REGIONS
        .iter()
        .map(|region| {
            let figures = national
                .lines
                .iter()
                .find(|line| matches!(line.place, Place::Region(r) if r == *region))
                .map(|line| line.figures.clone())
                .unwrap_or_else(zeros);
            (*region, figures)
        })
        .collect()
}

fn zeros() -> ShownFigures {
    let zero = Count::ZERO.shown();
    ShownFigures {
        members: zero.clone(),
        trained: zero.clone(),
        courses: zero.clone(),
        active: zero.clone(),
        rated: "–".into(),
        measured: "–".into(),
        wellbeing: "–".into(),
        wellbeing_courses: zero.clone(),
        mastery: "–".into(),
        mastery_courses: zero,
    }
}

/// The figures the small multiples compare: (chart id, title, the figure of an area).
type Figure = (
    &'static str,
    fn(&Messages) -> &str,
    fn(&ShownFigures) -> &str,
);

const FIGURES: [Figure; 4] = [
    (
        "regions-members",
        |t| t.dashboards.corps_members_count,
        |f| &f.members,
    ),
    (
        "regions-trained",
        |t| t.dashboards.trained_count,
        |f| &f.trained,
    ),
    (
        "regions-courses",
        |t| t.dashboards.courses_in_period,
        |f| &f.courses,
    ),
    (
        "regions-active",
        |t| t.dashboards.active_courses,
        |f| &f.active,
    ),
];

/// The regions picture: one small bar chart per main figure, a bar per region, and the
/// table of the same figures (region, then each figure as shown).
pub struct RegionsPicture {
    /// (the figure's name, its chart).
    pub charts: Vec<(&'static str, String)>,
    pub headings: Vec<&'static str>,
    pub rows: Vec<(&'static str, Vec<String>)>,
}

pub fn regions_picture(
    t: &'static Messages,
    regions: &[(&'static str, ShownFigures)],
) -> RegionsPicture {
    let charts = FIGURES
        .iter()
        .map(|(id, title, figure)| {
            let bars: Vec<Bar> = regions
                .iter()
                .map(|(region, figures)| Bar {
                    label: t.region_label(region).to_string(),
                    value: drawable(figure(figures)),
                    shown: figure(figures).to_string(),
                })
                .collect();
            (
                title(t),
                chart::bar_chart(id, title(t), &describe(&bars), &bars),
            )
        })
        .collect();
    RegionsPicture {
        charts,
        headings: FIGURES.iter().map(|(_, title, _)| title(t)).collect(),
        rows: regions
            .iter()
            .map(|(region, figures)| {
                (
                    t.region_label(region),
                    FIGURES
                        .iter()
                        .map(|(_, _, figure)| figure(figures).to_string())
                        .collect(),
                )
            })
            .collect(),
    }
}

/// The trend over years: a bar per year with the courses as shown.
pub fn years_chart(t: &'static Messages, years: &[YearCount]) -> String {
    let bars: Vec<Bar> = years
        .iter()
        .map(|y| Bar {
            label: y.year.to_string(),
            value: drawable(&y.courses),
            shown: y.courses.clone(),
        })
        .collect();
    chart::bar_chart(
        "years-chart",
        t.statistics.years_title,
        &describe(&bars),
        &bars,
    )
}

/// The bars as one sentence for screen readers: "Region Hovedstaden: 12, …".
fn describe(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::municipalities::repo::Area;
    use uuid::Uuid;

    fn area(region: &str) -> Area {
        Area {
            id: Uuid::now_v7(),
            name: format!("Kommune i {region}"),
            region: region.to_string(),
        }
    }

    fn rows(municipalities: Vec<Area>) -> NationalRows {
        NationalRows {
            municipalities,
            ..NationalRows::default()
        }
    }

    #[test]
    fn years_add_up_the_protected_years_of_the_municipalities() {
        let (a, b, c) = (
            area("midtjylland"),
            area("midtjylland"),
            area("hovedstaden"),
        );
        let per_year = vec![
            CoursesPerYear {
                municipality_id: a.id,
                year: 2025,
                courses: 8,
            },
            CoursesPerYear {
                municipality_id: b.id,
                year: 2025,
                courses: 7,
            },
            CoursesPerYear {
                municipality_id: c.id,
                year: 2024,
                courses: 2,
            },
        ];
        let rows = rows(vec![a, b, c]);
        // Each municipality's year is protected first (8 → 10, 7 → 5), the region's is
        // the sum of those: 10 + 5.
        let region = years(&rows, &per_year, "midtjylland");
        assert_eq!(
            region,
            vec![YearCount {
                year: 2025,
                courses: "15".into()
            }]
        );
        let country = years(&rows, &per_year, "");
        assert_eq!(
            country,
            vec![
                YearCount {
                    year: 2024,
                    courses: "<5".into()
                },
                YearCount {
                    year: 2025,
                    courses: "15".into()
                }
            ]
        );
    }

    #[test]
    fn a_protected_figure_is_drawn_without_length() {
        assert_eq!(drawable("12"), Some(12.0));
        assert_eq!(drawable("<5"), None);
        assert_eq!(drawable("–"), None);
        let t = crate::i18n::Locale::Da.messages();
        let years = [
            YearCount {
                year: 2025,
                courses: "<5".into(),
            },
            YearCount {
                year: 2026,
                courses: "12".into(),
            },
        ];
        let svg = years_chart(t, &years);
        assert!(
            svg.contains(r#"width="0.0""#),
            "the protected year has no bar"
        );
        assert!(
            svg.contains("2025: &lt;5, 2026: 12"),
            "the text alternative"
        );
    }

    #[test]
    fn all_five_regions_are_pictured_with_the_table_beside() {
        let rows = rows(vec![area("midtjylland")]);
        let national = super::super::aggregate::national(&rows, "");
        let regions = regions(&national);
        assert_eq!(regions.len(), 5);
        let t = crate::i18n::Locale::Da.messages();
        let picture = regions_picture(t, &regions);
        assert_eq!(picture.charts.len(), 4);
        assert_eq!(picture.rows.len(), 5);
        assert!(picture.rows.iter().all(|(_, cells)| cells.len() == 4));
    }
}
