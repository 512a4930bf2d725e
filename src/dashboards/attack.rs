//! The attacker's tests of the national figures (docs/statistics.md): random corps,
//! including the shapes that broke the old cell-by-cell suppression (a region with one
//! small municipality, a total of 6, two periods one course apart), and every view the
//! national centre can open, for every area.
//!
//! 1. One publication: whatever a reader subtracts — a row's sum minus its cells, a
//!    region minus its municipalities, the country minus its regions, a share times its
//!    whole — every count is known only within its rounding. Tested the strongest way:
//!    changing any count to another value with the same rounding must not change a single
//!    character of any view.
//! 2. Two periods one course apart: the difference of each count is known only within
//!    the rounding of both, never exactly.
//! 3. Average × n: the changes of the courses behind a hidden average (fewer than 10)
//!    cannot be worked out from an area's average and the shown averages of its other
//!    municipalities to better than ±5 points of the 0–100 scale.
//! 4. The same for the monthly progress trend: a region's month average times its ratings,
//!    minus the shown municipalities', leaves the hidden municipalities' ratings uncertain
//!    by at least ±2 points of the 1–10 scale.

use fastrand::Rng;
use time::Date;
use time::macros::date;
use uuid::Uuid;

use super::aggregate::{NationalRows, national};
use super::model::{BASE, Count, FEWEST_BEHIND, MINOR_BASE};
use super::pictures;
use super::repo::{
    CoursesPerYear, LoanFigures, MonthlyRatings, NationalBackground, NationalChange,
    NationalCompleteness, NationalCorps, NationalCourses,
};
use crate::municipalities::repo::Area;
use crate::vocab::{CourseKind, CourseState, REGIONS, Scale};

const MONTHS: [Date; 3] = [
    date!(2026 - 08 - 01),
    date!(2026 - 09 - 01),
    date!(2026 - 10 - 01),
];
const BANDS: [&str; 4] = ["under_18", "18_to_24", "25_plus", "unknown"];
const GENDERS: [&str; 3] = ["female", "male", "unknown"];

/// Mostly small counts, as in a corps of a few municipalities: 0, 1–4, 5–14, 15–39.
fn small(rng: &mut Rng) -> i64 {
    match rng.u8(0..10) {
        0..=2 => 0,
        3..=6 => rng.i64(1..5),
        7..=8 => rng.i64(5..15),
        _ => rng.i64(15..40),
    }
}

/// A random corps: 0 to 4 municipalities in each region (a region of one is common), each
/// with small figures in every table.
fn corps(rng: &mut Rng) -> (NationalRows, Vec<CoursesPerYear>) {
    let mut rows = NationalRows::default();
    let mut per_year = Vec::new();
    let mut n = 0;
    for region in REGIONS {
        for _ in 0..rng.usize(0..5) {
            n += 1;
            let id = Uuid::from_u128(n);
            rows.municipalities.push(Area {
                id,
                name: format!("Kommune {n}"),
                region: region.to_string(),
            });
            rows.corps.push(NationalCorps {
                municipality_id: id,
                members: small(rng),
                trained: small(rng),
            });
            for kind in CourseKind::ALL {
                for state in CourseState::ALL {
                    rows.courses.push(NationalCourses {
                        municipality_id: id,
                        kind,
                        state,
                        courses: small(rng),
                    });
                }
            }
            let active = small(rng);
            rows.completeness.push(NationalCompleteness {
                municipality_id: id,
                active,
                rated: rng.i64(0..=active),
                measured: rng.i64(0..=active),
            });
            for measure in [Scale::Wellbeing, Scale::Mastery] {
                let courses = small(rng);
                let total = (0..courses).map(|_| rng.i64(-5..=10) * 4).sum::<i64>();
                rows.changes.push(NationalChange {
                    municipality_id: id,
                    measure,
                    courses,
                    total_change: total as f64,
                });
            }
            for month in MONTHS {
                let courses = small(rng);
                if courses > 0 {
                    let ratings = courses + rng.i64(0..3);
                    let total = (0..ratings).map(|_| rng.i64(1..=10)).sum::<i64>();
                    rows.monthly.push(MonthlyRatings {
                        municipality_id: id,
                        month,
                        courses,
                        ratings,
                        total: total as f64,
                    });
                }
            }
            for band in BANDS {
                for gender in GENDERS {
                    rows.background.push(NationalBackground {
                        municipality_id: id,
                        age_band: band.to_string(),
                        gender: gender.to_string(),
                        courses: small(rng),
                    });
                }
            }
            if rng.bool() {
                rows.loans.push(LoanFigures {
                    municipality_id: id,
                    received: small(rng),
                    lent: small(rng),
                    hours: rng.f64() * 40.0,
                });
            }
            for year in [2024, 2025, 2026] {
                per_year.push(CoursesPerYear {
                    municipality_id: id,
                    year,
                    courses: small(rng),
                });
            }
        }
    }
    (rows, per_year)
}

/// The shapes that gave figures away before: a region of one municipality with small
/// counts, and a region of two municipalities with 3 courses each (a total of 6).
fn tricky(rng: &mut Rng) -> (NationalRows, Vec<CoursesPerYear>) {
    let (mut rows, mut per_year) = corps(rng);
    let alone = Uuid::from_u128(1001);
    let (a, b) = (Uuid::from_u128(1002), Uuid::from_u128(1003));
    for (id, region) in [(alone, "nordjylland"), (a, "sjaelland"), (b, "sjaelland")] {
        rows.municipalities.push(Area {
            id,
            name: "Lille".into(),
            region: region.into(),
        });
        rows.corps.push(NationalCorps {
            municipality_id: id,
            members: 3,
            trained: 3,
        });
        rows.courses.push(NationalCourses {
            municipality_id: id,
            kind: CourseKind::Mentor,
            state: CourseState::Active,
            courses: 3,
        });
        rows.completeness.push(NationalCompleteness {
            municipality_id: id,
            active: 3,
            rated: 2,
            measured: 1,
        });
        rows.background.push(NationalBackground {
            municipality_id: id,
            age_band: "under_18".into(),
            gender: "female".into(),
            courses: 3,
        });
        per_year.push(CoursesPerYear {
            municipality_id: id,
            year: 2026,
            courses: 3,
        });
    }
    (rows, per_year)
}

fn every_corps(seeds: u64) -> impl Iterator<Item = (u64, (NationalRows, Vec<CoursesPerYear>))> {
    (0..seeds).map(|seed| {
        let mut rng = Rng::with_seed(seed);
        let corps = if seed % 3 == 0 {
            tricky(&mut rng)
        } else {
            corps(&mut rng)
        };
        (seed, corps)
    })
}

/// Every area a reader can choose: the country, the regions, the municipalities.
fn areas(rows: &NationalRows) -> Vec<String> {
    let mut areas = vec![String::new()];
    areas.extend(REGIONS.iter().map(|r| r.to_string()));
    areas.extend(rows.municipalities.iter().map(|m| m.id.to_string()));
    areas
}

/// Everything the national centre can read of a corps, view by view and area by area:
/// (where, what is shown).
fn publication(rows: &NationalRows, per_year: &[CoursesPerYear]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for area in areas(rows) {
        let n = national(rows, &area);
        let at = |what: &str| format!("{what} of area {area:?}");
        if area.is_empty() {
            for line in &n.lines {
                out.push((
                    format!("figures of {}", line.place.code()),
                    format!("{:?}", line.figures),
                ));
            }
        }
        out.push((at("table"), format!("{:?}", n.table)));
        out.push((at("background"), format!("{:?}", n.background)));
        out.push((at("trend"), format!("{:?}", n.trend)));
        let loans: Vec<_> = n.loans.iter().map(|(m, l)| (m.id, l)).collect();
        out.push((at("loans"), format!("{loans:?}")));
        out.push((
            at("years"),
            format!("{:?}", pictures::years(rows, per_year, &area)),
        ));
    }
    out
}

/// Every count that is published on its own (the finest cells) as shown: what the method
/// promises a reader can know ("<5" is 1 to 4, "10" is 8 to 12).
fn classes(rows: &NationalRows, per_year: &[CoursesPerYear]) -> Vec<String> {
    let mut out = Vec::new();
    for c in &rows.corps {
        out.extend([Count::protect(c.members), Count::protect(c.trained)]);
    }
    out.extend(rows.courses.iter().map(|c| Count::protect(c.courses)));
    for c in &rows.completeness {
        out.extend([c.active, c.rated, c.measured].map(Count::protect));
    }
    for l in &rows.loans {
        out.extend([Count::protect(l.received), Count::protect(l.lent)]);
    }
    out.extend(per_year.iter().map(|y| Count::protect(y.courses)));
    // Background: per region, "not stated" and "other" as one, minors in base 10.
    for region in REGIONS {
        for band in BANDS {
            for gender in ["female", "male", "other"] {
                let n: i64 = rows
                    .background
                    .iter()
                    .filter(|b| {
                        b.age_band == band
                            && (b.gender == gender || gender == "other" && b.gender == "unknown")
                            && rows
                                .municipalities
                                .iter()
                                .any(|m| m.id == b.municipality_id && m.region == region)
                    })
                    .map(|b| b.courses)
                    .sum();
                let base = if band == "under_18" { MINOR_BASE } else { BASE };
                out.push(Count::protect_in(n, base));
            }
        }
    }
    out.iter().map(Count::shown).collect()
}

/// Every count of a corps a test may change, with its municipality.
fn counts<'a>(
    rows: &'a mut NationalRows,
    per_year: &'a mut [CoursesPerYear],
) -> Vec<(Uuid, &'a mut i64)> {
    let mut counts: Vec<(Uuid, &mut i64)> = Vec::new();
    for c in &mut rows.corps {
        counts.push((c.municipality_id, &mut c.members));
        counts.push((c.municipality_id, &mut c.trained));
    }
    counts.extend(
        rows.courses
            .iter_mut()
            .map(|c| (c.municipality_id, &mut c.courses)),
    );
    for c in &mut rows.completeness {
        let m = c.municipality_id;
        counts.extend([(m, &mut c.active), (m, &mut c.rated), (m, &mut c.measured)]);
    }
    for l in &mut rows.loans {
        counts.push((l.municipality_id, &mut l.received));
        counts.push((l.municipality_id, &mut l.lent));
    }
    counts.extend(
        per_year
            .iter_mut()
            .map(|y| (y.municipality_id, &mut y.courses)),
    );
    counts.extend(
        rows.background
            .iter_mut()
            .map(|b| (b.municipality_id, &mut b.courses)),
    );
    counts
}

/// The n-th count of a corps.
fn count_mut<'a>(
    rows: &'a mut NationalRows,
    per_year: &'a mut [CoursesPerYear],
    n: usize,
) -> Option<&'a mut i64> {
    counts(rows, per_year).into_iter().nth(n).map(|(_, c)| c)
}

fn first_difference(a: &[(String, String)], b: &[(String, String)]) -> String {
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("{}:\n  before {}\n  after  {}", x.0, x.1, y.1))
        .unwrap_or_else(|| "the number of figures".into())
}

#[test]
fn no_count_can_be_told_apart_from_the_values_it_is_rounded_with() {
    for (seed, (rows, per_year)) in every_corps(30) {
        let published = publication(&rows, &per_year);
        let promised = classes(&rows, &per_year);
        let mut rng = Rng::with_seed(seed + 1_000_000);
        let owners: Vec<Uuid> = counts(&mut rows.clone(), &mut per_year.clone())
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        let total = owners.len();
        // 30 random counts of each corps; in the tricky ones also every count of the
        // small municipalities `tricky` adds.
        let mut chosen: Vec<usize> = (0..30).map(|_| rng.usize(0..total.max(1))).collect();
        if seed % 3 == 0 {
            let small = Uuid::from_u128(1001)..=Uuid::from_u128(1003);
            chosen.extend((0..total).filter(|&n| small.contains(&owners[n])));
        }
        for which in chosen {
            let (mut changed_rows, mut changed_years) = (rows.clone(), per_year.to_vec());
            let Some(count) = count_mut(&mut changed_rows, &mut changed_years, which) else {
                continue;
            };
            let before = *count;
            for delta in [-2, -1, 1, 2] {
                let after = before + delta;
                if after < 0 {
                    continue;
                }
                *count_mut(&mut changed_rows, &mut changed_years, which).unwrap() = after;
                if classes(&changed_rows, &changed_years) != promised {
                    continue;
                }
                let republished = publication(&changed_rows, &changed_years);
                assert!(
                    republished == published,
                    "seed {seed}: count #{which} changed from {before} to {after} within its \
                     rounding, and a reader sees it in {}",
                    first_difference(&published, &republished)
                );
            }
        }
    }
}

/// What a reader can tell the exact count behind a shown count is: (least, most).
fn possible(shown: &str) -> (i64, i64) {
    match shown {
        "0" => (0, 0),
        "<5" => (1, BASE - 1),
        "<10" => (1, MINOR_BASE - 1),
        n => {
            let n: i64 = n.parse().expect("a count");
            if n % BASE != 0 {
                (n, n)
            } else {
                ((n - BASE / 2).max(BASE), n + BASE / 2)
            }
        }
    }
}

/// A municipality's counts as its views show them, in a fixed order.
fn municipality_counts(rows: &NationalRows, per_year: &[CoursesPerYear]) -> Vec<String> {
    let mut out = Vec::new();
    let n = national(rows, "");
    for line in n.lines.iter().filter(|l| l.place.level() == "municipality") {
        let f = &line.figures;
        out.extend([&f.members, &f.trained, &f.active].map(|s| s.to_string()));
    }
    for m in &rows.municipalities {
        let area = m.id.to_string();
        let n = national(rows, &area);
        for (_, cells, _) in &n.table.rows {
            out.extend(cells.iter().cloned());
        }
        out.extend(
            pictures::years(rows, per_year, &area)
                .into_iter()
                .map(|y| y.courses),
        );
    }
    out
}

#[test]
fn two_periods_one_course_apart_give_the_difference_only_within_the_rounding() {
    for (seed, (rows, per_year)) in every_corps(300) {
        // The second period has one course more, in a random municipality and cell.
        let mut rng = Rng::with_seed(seed + 2_000_000);
        if rows.municipalities.is_empty() {
            continue;
        }
        let (mut later, mut later_years) = (rows.clone(), per_year.clone());
        let m = rows.municipalities[rng.usize(0..rows.municipalities.len())].id;
        let cells: Vec<usize> = (0..later.courses.len())
            .filter(|i| later.courses[*i].municipality_id == m)
            .collect();
        let cell = cells[rng.usize(0..cells.len())];
        later.courses[cell].courses += 1;
        if let Some(y) = later_years
            .iter_mut()
            .find(|y| y.municipality_id == m && y.year == 2026)
        {
            y.courses += 1;
        }
        if later.courses[cell].state == CourseState::Active
            && let Some(c) = later
                .completeness
                .iter_mut()
                .find(|c| c.municipality_id == m)
        {
            c.active += 1;
        }
        let before = municipality_counts(&rows, &per_year);
        let after = municipality_counts(&later, &later_years);
        assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            if (b.as_str(), a.as_str()) == ("0", "0") {
                continue;
            }
            let ((b_least, b_most), (a_least, a_most)) = (possible(b), possible(a));
            let (least, most) = (a_least - b_most, a_most - b_least);
            assert!(
                most - least >= 3,
                "seed {seed}: shown {b} and then {a}, the difference is known to be \
                 {least}..{most}"
            );
        }
    }
}

/// (least, most) of a product of two intervals.
fn times((a, b): (f64, f64), (c, d): (f64, f64)) -> (f64, f64) {
    let p = [a * c, a * d, b * c, b * d];
    (
        p.iter().cloned().fold(f64::INFINITY, f64::min),
        p.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
    )
}

/// The sum of changes behind a shown average "+8" over a count shown as `n`: what a
/// reader can tell of it.
fn sum_behind(average: &str, n: (i64, i64)) -> (f64, f64) {
    let a: f64 = average.parse().expect("an average");
    // Rounded to its last digit: "+8" is 7.5 to 8.5, "+8.4" 8.35 to 8.45.
    let decimals = average.split_once('.').map_or(0, |(_, d)| d.len() as i32);
    let half = 0.5 * 10f64.powi(-decimals);
    let n = (n.0.max(FEWEST_BEHIND) as f64, n.1 as f64);
    times((a - half, a + half), n)
}

#[test]
fn an_average_times_its_courses_does_not_give_a_hidden_average_away() {
    for (seed, (rows, _)) in every_corps(300) {
        let n = national(&rows, "");
        // An area and the municipalities in it, as (shown average, shown courses).
        let figures = |code: &str, scale: Scale| {
            let line = n.lines.iter().find(|l| l.place.code() == code).unwrap();
            let f = &line.figures;
            match scale {
                Scale::Wellbeing => (f.wellbeing.clone(), f.wellbeing_courses.clone()),
                Scale::Mastery => (f.mastery.clone(), f.mastery_courses.clone()),
            }
        };
        for scale in [Scale::Wellbeing, Scale::Mastery] {
            for region in REGIONS {
                let inside: Vec<_> = rows
                    .municipalities
                    .iter()
                    .filter(|m| m.region == region)
                    .map(|m| figures(&m.id.to_string(), scale))
                    .collect();
                if inside.is_empty() {
                    continue;
                }
                let (average, _) = figures(region, scale);
                if average == "–" {
                    continue;
                }
                let hidden: Vec<_> = inside
                    .iter()
                    .filter(|(a, n)| a == "–" && n != "0")
                    .collect();
                if hidden.is_empty() {
                    continue;
                }
                // The region's courses are the sum of its municipalities'.
                let (least, most) = inside.iter().fold((0, 0), |(l, m), (_, n)| {
                    let (a, b) = possible(n);
                    (l + a, m + b)
                });
                let region_sum = sum_behind(&average, (least, most));
                let shown_sum = inside
                    .iter()
                    .filter(|(a, _)| a != "–")
                    .map(|(a, n)| sum_behind(a, possible(n)))
                    .fold((0.0, 0.0), |(l, m), (a, b)| (l + a, m + b));
                let (hidden_least, hidden_most) =
                    (region_sum.0 - shown_sum.1, region_sum.1 - shown_sum.0);
                assert!(
                    hidden_most - hidden_least >= 10.0,
                    "seed {seed}: {region}'s average {average} minus its shown municipalities \
                     tells that the courses of its {} hidden municipalities changed \
                     {hidden_least}..{hidden_most} in all",
                    hidden.len()
                );
            }
        }
    }
}

/// What a reader can tell the sum of published estimates behind a shown sum is.
fn estimates_behind(shown: &str) -> (i64, i64) {
    match shown {
        "0" => (0, 0),
        "<5" => (1, BASE - 1),
        n => {
            let n: i64 = n.parse().expect("a count");
            if n % BASE != 0 {
                // Not rounded: exact.
                (n, n)
            } else {
                (n - BASE / 2, n + BASE / 2)
            }
        }
    }
}

#[test]
fn a_months_average_times_its_ratings_does_not_give_a_hidden_municipality_away() {
    let mut played = 0;
    for (seed, (rows, _)) in every_corps(300) {
        for region in REGIONS {
            let inside: Vec<&Area> = rows
                .municipalities
                .iter()
                .filter(|m| m.region == region)
                .collect();
            if inside.is_empty() {
                continue;
            }
            let region_trend = national(&rows, region).trend;
            let trends: Vec<_> = inside
                .iter()
                .map(|m| national(&rows, &m.id.to_string()).trend)
                .collect();
            for month in &region_trend {
                let shown: Vec<_> = trends
                    .iter()
                    .filter_map(|t| t.iter().find(|m| m.month == month.month))
                    .collect();
                let hidden = inside
                    .iter()
                    .zip(&trends)
                    .filter(|(m, t)| {
                        !t.iter().any(|x| x.month == month.month)
                            && rows
                                .monthly
                                .iter()
                                .any(|r| r.municipality_id == m.id && r.month == month.month)
                    })
                    .count() as i64;
                if hidden == 0 {
                    continue;
                }
                // The region's ratings: the shown municipalities' within their rounding,
                // the hidden ones' at least one each and at most twice what the rest of
                // the region's published count can stand for ("<5" stands for 2, is up
                // to 4).
                let shown_counts: Vec<(i64, i64)> =
                    shown.iter().map(|m| possible(&m.ratings)).collect();
                let shown_estimates: i64 = shown
                    .iter()
                    .map(|m| Count::protect(possible(&m.ratings).0).estimate())
                    .sum();
                let (region_least, region_most) = estimates_behind(&month.ratings);
                // A rounded estimate stands for up to twice its value ("<5": 2, up to 4);
                // an exact one for itself.
                let stands_for = if region_least == region_most { 1 } else { 2 };
                let ratings = (
                    shown_counts.iter().map(|c| c.0).sum::<i64>() + hidden,
                    shown_counts.iter().map(|c| c.1).sum::<i64>()
                        + stands_for * (region_most - shown_estimates).max(hidden),
                );
                // As shown: one decimal.
                let average = |a: f64| {
                    let shown: f64 = format!("{a:.1}").parse().expect("an average");
                    (shown - 0.05, shown + 0.05)
                };
                let region_sum =
                    times(average(month.average), (ratings.0 as f64, ratings.1 as f64));
                let shown_sum = shown
                    .iter()
                    .map(|m| {
                        let (l, h) = possible(&m.ratings);
                        times(average(m.average), (l as f64, h as f64))
                    })
                    .fold((0.0, 0.0), |(l, h), (a, b)| (l + a, h + b));
                let (least, most) = (region_sum.0 - shown_sum.1, region_sum.1 - shown_sum.0);
                played += 1;
                assert!(
                    most - least >= 4.0,
                    "seed {seed}: {region}'s {} average {:.1} over {} ratings minus its shown \
                     municipalities tells that the ratings of its {hidden} hidden \
                     municipalities add up to {least:.1}..{most:.1}",
                    month.month,
                    month.average,
                    month.ratings
                );
            }
        }
    }
    assert!(
        played > 50,
        "only {played} months with a hidden municipality"
    );
}
