//! The dashboards' figures, computed from the rows `repo` fetches: counts per kind and
//! state, completeness, the change from pre to post, the monthly trend, the background of
//! the citizens, each member's load, and for the national centre the figures per area and
//! the loans per municipality, with small counts suppressed. No I/O and no labels: the
//! views put the message catalogue's words on the codes.

use time::Date;
use uuid::Uuid;

use super::model::{
    AreaFigures, AreaTally, BASE, ChangeSum, Completeness, Count, FEWEST_BEHIND, MINOR_BASE,
    ShownFigures, signed,
};
use super::repo;
use crate::corps::repo::MemberChoice;
use crate::courses::due::facts_of;
use crate::courses::repo::FactsRow;
use crate::courses::rules::{self, Urgency};
use crate::municipalities::repo::Area;
use crate::vocab::REGIONS;
use crate::vocab::{CourseKind, CourseState, Scale};

/// The age bands in their natural order, for sorting.
pub const BANDS: [&str; 4] = ["under_18", "18_to_24", "25_plus", "unknown"];

pub fn band_order(band: &str) -> usize {
    BANDS.iter().position(|b| *b == band).unwrap_or(BANDS.len())
}

// The coordinator's overview.

/// What the overview reads, in the order it reads it.
pub struct OverviewRows {
    pub members: Vec<MemberChoice>,
    pub courses: Vec<FactsRow>,
    pub loads: Vec<repo::MemberLoad>,
    pub counts: Vec<repo::KindState>,
    pub monthly: Vec<repo::MonthlyRatings>,
    pub background: Vec<repo::Background>,
    pub changes: Vec<repo::Change>,
}

/// A member's completeness over their open courses and the items due on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFigures {
    pub id: Uuid,
    pub name: String,
    pub completeness: Completeness,
    pub overdue: usize,
    pub due_soon: usize,
}

/// A member's load beside what is due on their courses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLoad {
    pub id: Uuid,
    pub name: String,
    pub open_courses: i64,
    pub capacity: i16,
    pub overdue: usize,
    pub due_soon: usize,
    pub coachings: i64,
    pub last_coaching: Option<Date>,
}

/// Courses per kind (in `CourseKind::ALL` order) and state (in `CourseState::ALL` order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStateTable {
    /// Each kind's count in every state, and the row's sum.
    pub rows: Vec<(CourseKind, Vec<i64>, i64)>,
    /// Each state's count over every kind.
    pub state_totals: Vec<(CourseState, i64)>,
}

/// The average progress rating of a month and the number of ratings behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthAverage {
    pub month: Date,
    /// The number of ratings as shown (protected on the national dashboard).
    pub ratings: String,
    pub average: f64,
}

/// Courses by the age band and gender of their first participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundCell<T> {
    pub band: String,
    pub gender: String,
    pub count: T,
}

/// The average change of a scale's measure over the courses behind it, with its sign (""
/// when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub measure: Scale,
    pub courses: i64,
    pub change: String,
}

pub struct Overview {
    /// Every member, in the order given, with their completeness.
    pub members: Vec<MemberFigures>,
    /// The municipality's completeness over every open course of the kind.
    pub total: Completeness,
    pub load: Vec<MemberLoad>,
    pub table: KindStateTable,
    pub trend: Vec<MonthAverage>,
    pub background: Vec<BackgroundCell<i64>>,
    pub changes: Vec<ChangeLine>,
}

impl Overview {
    /// The members the completeness table lists: those with an active course.
    pub fn with_active_courses(&self) -> impl Iterator<Item = &MemberFigures> {
        self.members.iter().filter(|m| m.completeness.active > 0)
    }
}

/// The overview's figures for courses of `kind` ("" for every kind) and the chosen member
/// (None for all).
pub fn overview(rows: &OverviewRows, kind: &str, member: Option<Uuid>, today: Date) -> Overview {
    let (members, total) = completeness(&rows.members, &rows.courses, kind, today);
    Overview {
        load: load(&members, &rows.loads, member),
        table: by_kind_and_state(
            &rows
                .counts
                .iter()
                .map(|c| (c.kind, c.state, c.count))
                .collect::<Vec<_>>(),
        ),
        trend: monthly_trend(&rows.monthly),
        background: background(&rows.background),
        changes: rows
            .changes
            .iter()
            .map(|c| ChangeLine {
                measure: c.measure,
                courses: c.courses,
                change: c.average_change.map(signed).unwrap_or_default(),
            })
            .collect(),
        members,
        total,
    }
}

/// Completeness per member and for the municipality over the open courses of `kind` (""
/// for every kind), with the overdue and soon due items on each member's courses. A
/// course whose kind or state is unknown counts nowhere.
pub fn completeness(
    members: &[MemberChoice],
    courses: &[FactsRow],
    kind: &str,
    today: Date,
) -> (Vec<MemberFigures>, Completeness) {
    let mut members: Vec<MemberFigures> = members
        .iter()
        .map(|m| MemberFigures {
            id: m.id,
            name: m.name.clone(),
            completeness: Completeness::default(),
            overdue: 0,
            due_soon: 0,
        })
        .collect();
    let mut total = Completeness::default();
    for course in courses {
        let facts = facts_of(course);
        if !kind.is_empty() && facts.kind.code() != kind {
            continue;
        }
        total.add(&facts, today);
        if let Some(member) = members.iter_mut().find(|m| Some(m.id) == course.member_id) {
            member.completeness.add(&facts, today);
            for item in rules::due_items(&facts, today) {
                match item.urgency {
                    Urgency::Overdue => member.overdue += 1,
                    Urgency::DueSoon => member.due_soon += 1,
                    Urgency::Warning => {}
                }
            }
        }
    }
    (members, total)
}

/// Each member's load (the chosen member's only, when one is chosen), in the members'
/// order; a member without a load row is left out.
pub fn load(
    members: &[MemberFigures],
    loads: &[repo::MemberLoad],
    chosen: Option<Uuid>,
) -> Vec<MemberLoad> {
    members
        .iter()
        .filter(|m| chosen.is_none_or(|chosen| chosen == m.id))
        .filter_map(|m| {
            let l = loads.iter().find(|l| l.member_id == m.id)?;
            Some(MemberLoad {
                id: m.id,
                name: m.name.clone(),
                open_courses: l.open_courses,
                capacity: l.capacity,
                overdue: m.overdue,
                due_soon: m.due_soon,
                coachings: l.coachings,
                last_coaching: l.last_coaching,
            })
        })
        .collect()
}

/// Adds up (kind code, state code, count) cells into the table of every kind and state.
pub fn by_kind_and_state(counts: &[(CourseKind, CourseState, i64)]) -> KindStateTable {
    let count = |kind: Option<CourseKind>, state: CourseState| -> i64 {
        counts
            .iter()
            .filter(|(k, s, _)| kind.is_none_or(|kind| *k == kind) && *s == state)
            .map(|(.., n)| n)
            .sum()
    };
    KindStateTable {
        rows: CourseKind::ALL
            .iter()
            .map(|kind| {
                let cells: Vec<i64> = CourseState::ALL
                    .iter()
                    .map(|state| count(Some(*kind), *state))
                    .collect();
                let sum = cells.iter().sum();
                (*kind, cells, sum)
            })
            .collect(),
        state_totals: CourseState::ALL
            .iter()
            .map(|state| (*state, count(None, *state)))
            .collect(),
    }
}

/// The average progress rating per month, oldest first, over the rows of each month: the
/// coordinator's trend, exact.
pub fn monthly_trend<'a>(
    monthly: impl IntoIterator<Item = &'a repo::MonthlyRatings>,
) -> Vec<MonthAverage> {
    let mut months: Vec<(Date, i64, f64)> = Vec::new();
    for m in monthly {
        match months.iter_mut().find(|(month, ..)| *month == m.month) {
            Some(entry) => {
                entry.1 += m.ratings;
                entry.2 += m.total;
            }
            None => months.push((m.month, m.ratings, m.total)),
        }
    }
    months.sort_by_key(|(month, ..)| *month);
    months
        .into_iter()
        .map(|(month, ratings, sum)| MonthAverage {
            month,
            ratings: ratings.to_string(),
            average: sum / ratings as f64,
        })
        .collect()
}

/// The national trend of an area: per month the average over its municipalities' ratings,
/// shown only when at least 10 courses were rated in the month, and the number of
/// ratings as the sum of each municipality's published count.
pub fn national_trend<'a>(
    monthly: impl IntoIterator<Item = &'a repo::MonthlyRatings>,
) -> Vec<MonthAverage> {
    // (month, courses rated, published ratings, ratings, sum of ratings)
    let mut months: Vec<(Date, i64, Count, i64, f64)> = Vec::new();
    for m in monthly {
        let ratings = Count::protect(m.ratings);
        match months.iter_mut().find(|(month, ..)| *month == m.month) {
            Some(entry) => {
                entry.1 += m.courses;
                entry.2.add(ratings);
                entry.3 += m.ratings;
                entry.4 += m.total;
            }
            None => months.push((m.month, m.courses, ratings, m.ratings, m.total)),
        }
    }
    months.retain(|(_, courses, ..)| *courses >= FEWEST_BEHIND);
    months.sort_by_key(|(month, ..)| *month);
    months
        .into_iter()
        .map(|(month, _, shown, ratings, sum)| MonthAverage {
            month,
            ratings: shown.shown(),
            average: sum / ratings as f64,
        })
        .collect()
}

/// The municipality's background cells in age band order, then gender; "not stated" is
/// shown as "other" (and sorted as what it is).
pub fn background(rows: &[repo::Background]) -> Vec<BackgroundCell<i64>> {
    let mut rows: Vec<&repo::Background> = rows.iter().collect();
    rows.sort_by(|a, b| {
        (band_order(&a.age_band), &a.gender).cmp(&(band_order(&b.age_band), &b.gender))
    });
    rows.into_iter()
        .map(|b| BackgroundCell {
            band: b.age_band.clone(),
            gender: if b.gender == "unknown" {
                "other".to_string()
            } else {
                b.gender.clone()
            },
            count: b.count,
        })
        .collect()
}

// The national dashboard: figures per area from aggregates per municipality. Each
// municipality's counts are protected first (model::Count); areas add up what is published.

/// What the national dashboard reads, in the order it reads it.
#[derive(Clone, Default)]
pub struct NationalRows {
    pub municipalities: Vec<Area>,
    pub corps: Vec<repo::NationalCorps>,
    pub courses: Vec<repo::NationalCourses>,
    pub changes: Vec<repo::NationalChange>,
    pub completeness: Vec<repo::NationalCompleteness>,
    pub monthly: Vec<repo::MonthlyRatings>,
    pub background: Vec<repo::NationalBackground>,
    pub loans: Vec<repo::LoanFigures>,
}

/// An area of the national table.
#[derive(Clone, Copy)]
pub enum Place<'a> {
    Municipality(&'a Area),
    /// A region's code.
    Region(&'static str),
    Country,
}

impl Place<'_> {
    /// The `area` value that selects the place ("" for the country).
    pub fn code(&self) -> String {
        match self {
            Place::Municipality(m) => m.id.to_string(),
            Place::Region(region) => region.to_string(),
            Place::Country => String::new(),
        }
    }

    pub fn level(&self) -> &'static str {
        match self {
            Place::Municipality(_) => "municipality",
            Place::Region(_) => "region",
            Place::Country => "country",
        }
    }
}

/// A row of the national table: an area's figures, small counts suppressed.
pub struct AreaLine<'a> {
    pub place: Place<'a>,
    pub figures: ShownFigures,
}

/// The municipalities an `area` value covers: a region's or one municipality, and every
/// municipality when the value is unknown (or "", the country).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub known: bool,
    pub ids: Vec<Uuid>,
}

impl Chosen {
    pub fn of(municipalities: &[Area], area: &str) -> Chosen {
        let in_chosen = |m: &Area| m.region == area || m.id.to_string() == area;
        let known = municipalities.iter().any(in_chosen);
        Chosen {
            known,
            ids: municipalities
                .iter()
                .filter(|m| !known || in_chosen(m))
                .map(|m| m.id)
                .collect(),
        }
    }

    pub fn contains(&self, id: &Uuid) -> bool {
        self.ids.contains(id)
    }
}

/// Course counts per kind and state as the national centre may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTable {
    /// Each kind's cells and sum.
    pub rows: Vec<(CourseKind, Vec<String>, String)>,
    /// Each state's total: the number to draw (None for "<5"), and the text.
    pub state_totals: Vec<(CourseState, Option<i64>, String)>,
}

/// The table of kind and state of the chosen municipalities: each municipality's cell is
/// protected, the area's cell is the sum of those, and each row's sum and each state's
/// total add up the area's published cells.
pub fn national_table<'a>(
    courses: impl IntoIterator<Item = &'a repo::NationalCourses>,
) -> ShownTable {
    let mut cells = vec![vec![Count::ZERO; CourseState::ALL.len()]; CourseKind::ALL.len()];
    for c in courses {
        let (Some(k), Some(s)) = (
            CourseKind::ALL.iter().position(|k| *k == c.kind),
            CourseState::ALL.iter().position(|s| *s == c.state),
        ) else {
            continue;
        };
        cells[k][s].add(Count::protect(c.courses));
    }
    ShownTable {
        rows: CourseKind::ALL
            .iter()
            .zip(&cells)
            .map(|(kind, row)| {
                (
                    *kind,
                    row.iter().map(Count::shown).collect(),
                    Count::sum(row.iter().copied()).shown(),
                )
            })
            .collect(),
        state_totals: CourseState::ALL
            .iter()
            .enumerate()
            .map(|(s, state)| {
                let total = Count::sum(cells.iter().map(|row| row[s]));
                (*state, total.value(), total.shown())
            })
            .collect(),
    }
}

/// A municipality's loans as shown: loans received and lent (protected) and the hours
/// logged on the loans received, to the nearest 5 hours.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanLine {
    pub received: String,
    pub lent: String,
    pub hours: f64,
}

impl LoanLine {
    fn of(l: &repo::LoanFigures) -> LoanLine {
        LoanLine {
            received: Count::protect(l.received).shown(),
            lent: Count::protect(l.lent).shown(),
            hours: (l.hours / BASE as f64).round() * BASE as f64,
        }
    }
}

pub struct National<'a> {
    /// Each region with figures, followed by its municipalities, then the country.
    pub lines: Vec<AreaLine<'a>>,
    /// The chosen area; None for the country (also when the area is unknown).
    pub chosen: Option<Place<'a>>,
    pub table: ShownTable,
    pub trend: Vec<MonthAverage>,
    /// None when a municipality is chosen: background is shown for regions and the
    /// country only.
    pub background: Option<Vec<BackgroundCell<String>>>,
    /// The chosen area's municipalities with loans, in the municipalities' order.
    pub loans: Vec<(&'a Area, LoanLine)>,
}

/// The national dashboard's figures, with the details for `area` ("" for the country, a
/// region's code or a municipality's id).
pub fn national<'a>(rows: &'a NationalRows, area: &str) -> National<'a> {
    let lines = area_lines(rows);
    let chosen = Chosen::of(&rows.municipalities, area);
    let in_area = |id: &Uuid| chosen.contains(id);
    National {
        chosen: lines
            .iter()
            .find(|line| chosen.known && line.place.code() == area)
            .map(|line| line.place),
        table: national_table(rows.courses.iter().filter(|c| in_area(&c.municipality_id))),
        trend: national_trend(rows.monthly.iter().filter(|m| in_area(&m.municipality_id))),
        // The citizens' background, often minors', is published per region only: a
        // municipality's would be a count of a handful of people.
        background: match chosen.ids.as_slice() {
            [_] if chosen.known => None,
            _ => Some(national_background(
                &rows.municipalities,
                rows.background
                    .iter()
                    .filter(|b| in_area(&b.municipality_id)),
            )),
        },
        loans: rows
            .municipalities
            .iter()
            .filter(|m| chosen.contains(&m.id))
            .filter_map(|m| {
                let l = rows.loans.iter().find(|l| l.municipality_id == m.id)?;
                Some((m, LoanLine::of(l)))
            })
            .collect(),
        lines,
    }
}

/// One municipality's exact figures (its courses as the sum of its published cells of
/// kind and state); they are protected before anything adds them up.
pub fn municipality_figures(rows: &NationalRows, id: Uuid) -> AreaFigures {
    let mut f = AreaFigures::default();
    if let Some(c) = rows.corps.iter().find(|c| c.municipality_id == id) {
        f.members = c.members;
        f.trained = c.trained;
    }
    f.courses = Count::sum(
        rows.courses
            .iter()
            .filter(|c| c.municipality_id == id)
            .map(|c| Count::protect(c.courses)),
    );
    if let Some(c) = rows.completeness.iter().find(|c| c.municipality_id == id) {
        f.active = c.active;
        f.rated = c.rated;
        f.measured = c.measured;
    }
    for c in rows.changes.iter().filter(|c| c.municipality_id == id) {
        let sum = ChangeSum {
            courses: c.courses,
            total: c.total_change,
        };
        match c.measure {
            Scale::Wellbeing => f.wellbeing.add(sum),
            Scale::Mastery => f.mastery.add(sum),
        }
    }
    f
}

/// The national table: each region (in `REGIONS` order, those without municipalities left
/// out) before its municipalities, and the country last. Regions and the country add up
/// their municipalities' published figures, so a region minus its municipalities, or the
/// country minus its regions, gives back nothing the municipalities do not show.
pub fn area_lines(rows: &NationalRows) -> Vec<AreaLine<'_>> {
    let mut lines = Vec::new();
    let mut country = AreaTally::default();
    for region in REGIONS {
        let members: Vec<&Area> = rows
            .municipalities
            .iter()
            .filter(|m| m.region == region)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mut region_figures = AreaTally::default();
        let mut municipality_lines = Vec::new();
        for m in members {
            let f = municipality_figures(rows, m.id).protect();
            region_figures.add(&f);
            municipality_lines.push(AreaLine {
                place: Place::Municipality(m),
                figures: f.shown(),
            });
        }
        country.add(&region_figures);
        lines.push(AreaLine {
            place: Place::Region(region),
            figures: region_figures.shown(),
        });
        lines.extend(municipality_lines);
    }
    lines.push(AreaLine {
        place: Place::Country,
        figures: country.shown(),
    });
    lines
}

/// The background cells of the chosen municipalities in age band order, then gender: each
/// region's cell protected (minors in base 10), the country's the sum of the regions'.
/// "Not stated" is merged into "other" before protection, not after.
pub fn national_background<'a>(
    municipalities: &[Area],
    rows: impl IntoIterator<Item = &'a repo::NationalBackground>,
) -> Vec<BackgroundCell<String>> {
    // A region's cells before protection: "not stated" and "other" are one cell.
    let mut exact: Vec<(&str, &str, &str, i64)> = Vec::new();
    for b in rows {
        let Some(region) = municipalities
            .iter()
            .find(|m| m.id == b.municipality_id)
            .map(|m| m.region.as_str())
        else {
            continue;
        };
        let gender = if b.gender == "unknown" {
            "other"
        } else {
            b.gender.as_str()
        };
        match exact
            .iter_mut()
            .find(|(r, band, g, _)| *r == region && *band == b.age_band && *g == gender)
        {
            Some(cell) => cell.3 += b.courses,
            None => exact.push((region, &b.age_band, gender, b.courses)),
        }
    }
    let mut cells: Vec<(&str, &str, Count)> = Vec::new();
    for (_, band, gender, n) in exact {
        let base = if band == "under_18" { MINOR_BASE } else { BASE };
        let count = Count::protect_in(n, base);
        match cells
            .iter_mut()
            .find(|(b, g, _)| *b == band && *g == gender)
        {
            Some(cell) => cell.2.add(count),
            None => cells.push((band, gender, count)),
        }
    }
    cells.sort_by(|a, b| (band_order(a.0), a.1).cmp(&(band_order(b.0), b.1)));
    cells
        .into_iter()
        .map(|(band, gender, count)| BackgroundCell {
            band: band.to_string(),
            gender: gender.to_string(),
            count: count.shown(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::SessionKind;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn area(n: u128, name: &str, region: &str) -> Area {
        Area {
            id: id(n),
            name: name.to_string(),
            region: region.to_string(),
        }
    }

    fn courses(municipality: u128, kind: &str, state: &str, n: i64) -> repo::NationalCourses {
        repo::NationalCourses {
            municipality_id: id(municipality),
            kind: CourseKind::from_code(kind).unwrap(),
            state: CourseState::from_code(state).unwrap(),
            courses: n,
        }
    }

    fn month(
        municipality: u128,
        month: Date,
        courses: i64,
        ratings: i64,
        total: f64,
    ) -> repo::MonthlyRatings {
        repo::MonthlyRatings {
            municipality_id: id(municipality),
            month,
            courses,
            ratings,
            total,
        }
    }

    fn national_background(
        municipality: u128,
        band: &str,
        gender: &str,
        n: i64,
    ) -> repo::NationalBackground {
        repo::NationalBackground {
            municipality_id: id(municipality),
            age_band: band.to_string(),
            gender: gender.to_string(),
            courses: n,
        }
    }

    fn no_rows() -> NationalRows {
        NationalRows::default()
    }

    /// Aarhus (4 active mentor courses) and Skive (5) in Midtjylland, Aalborg (3 closed and
    /// 10 active) in Nordjylland; nothing in the other regions.
    fn country() -> NationalRows {
        NationalRows {
            municipalities: vec![
                area(1, "Aarhus", "midtjylland"),
                area(2, "Skive", "midtjylland"),
                area(3, "Aalborg", "nordjylland"),
            ],
            courses: vec![
                courses(1, "mentor", "active", 4),
                courses(2, "mentor", "active", 5),
                courses(3, "mentor", "closed", 3),
                courses(3, "mentor", "active", 10),
            ],
            ..no_rows()
        }
    }

    fn kind_row(table: &ShownTable, kind: CourseKind) -> (&[String], &str) {
        let (_, cells, sum) = table.rows.iter().find(|(k, ..)| *k == kind).unwrap();
        (cells, sum)
    }

    fn state_index(state: CourseState) -> usize {
        CourseState::ALL.iter().position(|s| *s == state).unwrap()
    }

    #[test]
    fn a_cell_of_four_courses_is_suppressed_and_a_cell_of_five_is_shown() {
        let rows = country();
        let aarhus = national(&rows, &id(1).to_string());
        let (cells, sum) = kind_row(&aarhus.table, CourseKind::Mentor);
        assert_eq!(cells[state_index(CourseState::Active)], "<5");
        assert_eq!(sum, "<5");
        let (state, exact, shown) = &aarhus.table.state_totals[state_index(CourseState::Active)];
        assert_eq!(
            (*state, *exact, shown.as_str()),
            (CourseState::Active, None, "<5")
        );

        let skive = national(&rows, &id(2).to_string());
        let (cells, sum) = kind_row(&skive.table, CourseKind::Mentor);
        assert_eq!(cells[state_index(CourseState::Active)], "5");
        assert_eq!(sum, "5");
        let (_, exact, shown) = &skive.table.state_totals[state_index(CourseState::Active)];
        assert_eq!((*exact, shown.as_str()), (Some(5), "5"));

        // Nothing is not a small count: 0 is shown, and has a bar.
        let (cells, _) = kind_row(&skive.table, CourseKind::ParentCoaching);
        assert!(cells.iter().all(|c| c == "0"));
        let (_, exact, shown) = &skive.table.state_totals[state_index(CourseState::Closed)];
        assert_eq!((*exact, shown.as_str()), (Some(0), "0"));
    }

    #[test]
    fn sums_add_up_the_published_cells_so_a_sum_minus_its_cells_gives_nothing_away() {
        // Aalborg: 3 closed ("<5", standing for 2) and 10 active. The row's sum is 2 + 10,
        // shown 10 — not the exact 13, from which 13 − 10 would give the 3 away.
        let rows = country();
        let aalborg = national(&rows, &id(3).to_string());
        let (cells, sum) = kind_row(&aalborg.table, CourseKind::Mentor);
        assert_eq!(cells[state_index(CourseState::Closed)], "<5");
        assert_eq!(cells[state_index(CourseState::Active)], "10");
        assert_eq!(sum, "10");
        // The same between areas: Aarhus' 4 courses are "<5" (2), Skive's 5 are 5, so
        // Midtjylland shows 2 + 5 = 7, rounded 5 — not the exact 9.
        let lines = area_lines(&rows);
        let courses_of = |code: &str| {
            let line = lines.iter().find(|l| l.place.code() == code).unwrap();
            line.figures.courses.clone()
        };
        assert_eq!(courses_of(&id(1).to_string()), "<5");
        assert_eq!(courses_of(&id(2).to_string()), "5");
        assert_eq!(courses_of("midtjylland"), "5");
        assert_eq!(courses_of(""), "20");
    }

    #[test]
    fn the_table_adds_up_municipalities_and_totals_every_state_over_every_kind() {
        use CourseKind::{Mentor, ParentCoaching};
        use CourseState::{Active, Closed};
        let table = by_kind_and_state(&[
            (Mentor, Active, 2),
            (Mentor, Active, 3),
            (ParentCoaching, Active, 1),
            (Mentor, Closed, 4),
        ]);
        let active = state_index(CourseState::Active);
        let closed = state_index(CourseState::Closed);
        let (_, mentor, mentor_sum) = &table.rows[0];
        assert_eq!((mentor[active], mentor[closed], *mentor_sum), (5, 4, 9));
        let (kind, parents, parents_sum) = &table.rows[1];
        assert_eq!(
            (*kind, parents[active], *parents_sum),
            (CourseKind::ParentCoaching, 1, 1)
        );
        assert_eq!(table.rows.len(), CourseKind::ALL.len());
        assert_eq!(table.state_totals[active], (CourseState::Active, 6));
        assert_eq!(table.state_totals[closed], (CourseState::Closed, 4));

        let empty = by_kind_and_state(&[]);
        assert!(
            empty
                .rows
                .iter()
                .all(|(_, cells, sum)| *sum == 0 && cells.iter().all(|n| *n == 0))
        );
        assert!(empty.state_totals.iter().all(|(_, n)| *n == 0));
        assert_eq!(empty.state_totals.len(), CourseState::ALL.len());
    }

    #[test]
    fn the_trend_averages_each_month_over_municipalities_oldest_first() {
        let monthly = [
            month(2, date!(2026 - 10 - 01), 2, 4, 28.0),
            month(1, date!(2026 - 09 - 01), 1, 2, 9.0),
            month(1, date!(2026 - 10 - 01), 3, 4, 20.0),
        ];
        assert_eq!(
            monthly_trend(&monthly),
            [
                MonthAverage {
                    month: date!(2026 - 09 - 01),
                    ratings: "2".to_string(),
                    average: 4.5,
                },
                MonthAverage {
                    month: date!(2026 - 10 - 01),
                    ratings: "8".to_string(),
                    average: 6.0,
                },
            ]
        );
        assert!(monthly_trend(&[]).is_empty());
        // Nationally a month needs 10 courses rated, added up, not 10 ratings.
        assert!(national_trend(&monthly).is_empty());
        let many_ratings = [month(1, date!(2026 - 08 - 01), 9, 40, 200.0)];
        assert!(national_trend(&many_ratings).is_empty());
        let enough = [
            month(1, date!(2026 - 08 - 01), 6, 12, 60.0),
            month(2, date!(2026 - 08 - 01), 4, 4, 40.0),
        ];
        // 12 ratings shown 10, 4 shown "<5" (2): the month's count is 10 + 2, shown 10.
        assert_eq!(
            national_trend(&enough),
            [MonthAverage {
                month: date!(2026 - 08 - 01),
                ratings: "10".to_string(),
                average: 6.25,
            }]
        );
    }

    #[test]
    fn background_is_in_age_order_with_not_stated_shown_as_other() {
        let row = |band: &str, gender: &str, count| repo::Background {
            age_band: band.to_string(),
            gender: gender.to_string(),
            count,
        };
        let cells = background(&[
            row("unknown", "female", 1),
            row("25_plus", "male", 2),
            row("under_18", "unknown", 3),
            row("under_18", "female", 4),
            row("18_to_24", "other", 5),
        ]);
        let shown: Vec<(&str, &str, i64)> = cells
            .iter()
            .map(|c| (c.band.as_str(), c.gender.as_str(), c.count))
            .collect();
        assert_eq!(
            shown,
            [
                ("under_18", "female", 4),
                ("under_18", "other", 3),
                ("18_to_24", "other", 5),
                ("25_plus", "male", 2),
                ("unknown", "female", 1),
            ]
        );
        // The coordinator sees small counts: nothing is suppressed on the overview.
        assert!(background(&[]).is_empty());
    }

    #[test]
    fn national_background_merges_not_stated_into_other_before_suppressing() {
        let rows = NationalRows {
            background: vec![
                national_background(1, "under_18", "other", 2),
                national_background(1, "under_18", "unknown", 3),
                national_background(1, "25_plus", "female", 4),
                national_background(2, "25_plus", "female", 1),
                national_background(3, "18_to_24", "male", 9),
            ],
            ..country()
        };
        let cells = |area: &str| -> Vec<(String, String, String)> {
            national(&rows, area)
                .background
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.band, c.gender, c.count))
                .collect()
        };
        let cell = |band: &str, gender: &str, count: &str| {
            (band.to_string(), gender.to_string(), count.to_string())
        };
        // Midtjylland's 2 + 3 minors are one cell of 5, under 10: "<10"; Aarhus' 4 and
        // Skive's 1 adults are one cell of 5, shown 5.
        assert_eq!(
            cells("midtjylland"),
            [
                cell("under_18", "other", "<10"),
                cell("25_plus", "female", "5")
            ]
        );
        // A municipality's background is not shown at all.
        assert!(national(&rows, &id(1).to_string()).background.is_none());
        assert_eq!(
            cells(""),
            [
                cell("under_18", "other", "<10"),
                cell("18_to_24", "male", "10"),
                cell("25_plus", "female", "5")
            ]
        );
    }

    #[test]
    fn areas_are_regions_before_their_municipalities_and_the_country_last() {
        let rows = NationalRows {
            municipalities: vec![
                area(3, "Aalborg", "nordjylland"),
                area(1, "Aarhus", "midtjylland"),
                area(2, "Skive", "midtjylland"),
                area(4, "København", "hovedstaden"),
            ],
            corps: vec![
                repo::NationalCorps {
                    municipality_id: id(1),
                    members: 8,
                    trained: 6,
                },
                repo::NationalCorps {
                    municipality_id: id(2),
                    members: 9,
                    trained: 3,
                },
            ],
            completeness: vec![
                repo::NationalCompleteness {
                    municipality_id: id(1),
                    active: 8,
                    rated: 6,
                    measured: 4,
                },
                repo::NationalCompleteness {
                    municipality_id: id(2),
                    active: 7,
                    rated: 5,
                    measured: 7,
                },
            ],
            changes: vec![
                repo::NationalChange {
                    municipality_id: id(1),
                    measure: Scale::Wellbeing,
                    courses: 8,
                    total_change: 80.0,
                },
                repo::NationalChange {
                    municipality_id: id(2),
                    measure: Scale::Wellbeing,
                    courses: 4,
                    total_change: 12.0,
                },
                repo::NationalChange {
                    municipality_id: id(2),
                    measure: Scale::Mastery,
                    courses: 12,
                    total_change: -6.0,
                },
            ],
            ..no_rows()
        };
        let lines = area_lines(&rows);
        let places: Vec<(String, &str)> = lines
            .iter()
            .map(|l| (l.place.code(), l.place.level()))
            .collect();
        let m = |n: u128| (id(n).to_string(), "municipality");
        assert_eq!(
            places,
            [
                ("hovedstaden".to_string(), "region"),
                m(4),
                ("midtjylland".to_string(), "region"),
                m(1),
                m(2),
                ("nordjylland".to_string(), "region"),
                m(3),
                (String::new(), "country"),
            ]
        );
        // Aarhus: 8 members and 8 active courses are shown as 10; too few for a share or
        // an average.
        let aarhus = &lines[3].figures;
        assert_eq!(
            (
                aarhus.members.as_str(),
                aarhus.active.as_str(),
                aarhus.rated.as_str()
            ),
            ("10", "10", "–")
        );
        assert_eq!(
            (aarhus.wellbeing.as_str(), aarhus.mastery.as_str()),
            ("–", "–")
        );
        // The region adds up what its municipalities show: 10 + 10 members, 5 + "<5" (2)
        // trained, 10 + 5 active; the shares are of those sums (5 + 5 of 15, 2 + 5 of 15);
        // the averages are over the exact 12 courses behind them, in whole points.
        let region = &lines[2].figures;
        assert_eq!(region.members, "20");
        assert_eq!(region.trained, "5");
        assert_eq!(region.active, "15");
        assert_eq!(region.rated, "67 %");
        assert_eq!(region.measured, "47 %");
        assert_eq!(
            (region.wellbeing.as_str(), region.wellbeing_courses.as_str()),
            ("+8", "10")
        );
        assert_eq!(
            (region.mastery.as_str(), region.mastery_courses.as_str()),
            ("-1", "10")
        );
        assert_eq!(lines[7].figures, region.clone());
        // A municipality without figures shows zeros, and shares of nothing as "–".
        let copenhagen = &lines[1].figures;
        assert_eq!(
            (copenhagen.members.as_str(), copenhagen.rated.as_str()),
            ("0", "–")
        );
    }

    #[test]
    fn the_chosen_area_is_a_region_a_municipality_or_else_the_country() {
        let rows = country();
        let region = Chosen::of(&rows.municipalities, "midtjylland");
        assert_eq!(
            region,
            Chosen {
                known: true,
                ids: vec![id(1), id(2)]
            }
        );
        let one = Chosen::of(&rows.municipalities, &id(3).to_string());
        assert_eq!(
            one,
            Chosen {
                known: true,
                ids: vec![id(3)]
            }
        );
        for unknown in ["", "atlantis", "hovedstaden"] {
            let all = Chosen::of(&rows.municipalities, unknown);
            assert_eq!(
                all,
                Chosen {
                    known: false,
                    ids: vec![id(1), id(2), id(3)]
                }
            );
        }
        let name = |area: &str| national(&rows, area).chosen.map(|p| (p.code(), p.level()));
        assert_eq!(
            name("midtjylland"),
            Some(("midtjylland".to_string(), "region"))
        );
        assert_eq!(
            name(&id(2).to_string()),
            Some((id(2).to_string(), "municipality"))
        );
        // An unknown area (and a region without municipalities) is the whole country.
        assert_eq!(name("atlantis"), None);
        assert_eq!(name("hovedstaden"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn the_area_trend_hides_months_with_fewer_than_ten_courses_rated() {
        let rows = NationalRows {
            monthly: vec![
                month(1, date!(2026 - 09 - 01), 8, 16, 80.0),
                month(2, date!(2026 - 09 - 01), 2, 4, 32.0),
                month(1, date!(2026 - 10 - 01), 4, 4, 20.0),
                month(3, date!(2026 - 10 - 01), 6, 6, 60.0),
            ],
            ..country()
        };
        let midtjylland = national(&rows, "midtjylland").trend;
        assert_eq!(
            midtjylland,
            [MonthAverage {
                month: date!(2026 - 09 - 01),
                // 16 shown as 15, 4 as "<5" (2): 17, shown 15.
                ratings: "15".to_string(),
                average: 5.6,
            }]
        );
        assert!(national(&rows, &id(1).to_string()).trend.is_empty());
        let country = national(&rows, "").trend;
        assert_eq!(country.len(), 2);
        assert_eq!(
            (country[1].ratings.as_str(), country[1].average),
            ("5", 8.0)
        );
    }

    #[test]
    fn loans_are_listed_for_the_chosen_municipalities_that_have_any() {
        let loan = |n: u128, received, lent, hours| repo::LoanFigures {
            municipality_id: id(n),
            received,
            lent,
            hours,
        };
        let rows = NationalRows {
            loans: vec![loan(3, 1, 0, 12.6), loan(1, 0, 6, 0.0), loan(9, 1, 1, 3.0)],
            ..country()
        };
        let listed = |area: &str| -> Vec<(String, String, String, f64)> {
            national(&rows, area)
                .loans
                .iter()
                .map(|(m, l)| (m.name.clone(), l.received.clone(), l.lent.clone(), l.hours))
                .collect()
        };
        let line = |name: &str, received: &str, lent: &str, hours| {
            (
                name.to_string(),
                received.to_string(),
                lent.to_string(),
                hours,
            )
        };
        // In the municipalities' order, counts protected and hours to the nearest 5; Skive
        // has none, an unknown municipality is no row.
        assert_eq!(
            listed(""),
            [
                line("Aarhus", "0", "5", 0.0),
                line("Aalborg", "<5", "0", 15.0)
            ]
        );
        assert_eq!(listed("midtjylland"), [line("Aarhus", "0", "5", 0.0)]);
        assert!(listed(&id(2).to_string()).is_empty());
    }

    #[test]
    fn no_rows_give_the_country_alone_with_zeros() {
        let rows = no_rows();
        let n = national(&rows, "");
        assert_eq!(n.lines.len(), 1);
        assert_eq!(n.lines[0].place.level(), "country");
        assert_eq!(n.lines[0].figures.courses, "0");
        assert_eq!(n.lines[0].figures.wellbeing, "–");
        assert!(n.chosen.is_none());
        assert!(
            n.table
                .rows
                .iter()
                .all(|(_, cells, sum)| sum == "0" && cells.iter().all(|c| c == "0"))
        );
        assert!(n.trend.is_empty() && n.loans.is_empty());
        assert_eq!(n.background, Some(Vec::new()));
    }

    // The coordinator's overview.

    fn member(n: u128, name: &str) -> MemberChoice {
        MemberChoice {
            id: id(n),
            name: name.to_string(),
        }
    }

    /// An open course of `member`, with a session `days_ago` and a recent rating.
    fn course(member: Option<u128>, kind: &str, state: &str, days_ago: i64) -> FactsRow {
        FactsRow {
            id: Uuid::new_v4(),
            kind: CourseKind::from_code(kind).unwrap(),
            state: CourseState::from_code(state).unwrap(),
            title: String::new(),
            citizens: None,
            member_id: member.map(id),
            member_name: None,
            matched_on: Some(date!(2026 - 01 - 01)),
            started_on: Some(date!(2026 - 01 - 10)),
            ended_on: None,
            participants: 1,
            session_dates: vec![TODAY - time::Duration::days(days_ago)],
            session_kinds: vec![SessionKind::Session],
            last_rating_on: Some(date!(2026 - 11 - 01)),
            measured_pre: true,
            measured_post: false,
        }
    }

    fn overdue_items(row: &FactsRow) -> usize {
        let facts = facts_of(row);
        rules::due_items(&facts, TODAY)
            .iter()
            .filter(|item| item.urgency == Urgency::Overdue)
            .count()
    }

    #[test]
    fn completeness_counts_each_members_courses_and_the_municipalitys() {
        let members = [member(1, "Anna"), member(2, "Bo"), member(3, "Carl")];
        let late = overdue_items(&course(Some(2), "mentor", "active", 20));
        let courses = [
            course(Some(1), "mentor", "active", 2),
            course(Some(2), "mentor", "active", 20),
            course(Some(2), "parent_coaching", "active", 2),
            // No member: counts for the municipality only.
            course(None, "mentor", "active", 2),
        ];
        let (figures, total) = completeness(&members, &courses, "", TODAY);
        assert_eq!(
            figures
                .iter()
                .map(|m| (m.name.as_str(), m.completeness.active))
                .collect::<Vec<_>>(),
            [("Anna", 1), ("Bo", 2), ("Carl", 0)]
        );
        assert_eq!(total.active, 4);
        assert_eq!(total.on_rhythm, 3);
        assert_eq!(total.measured, 4);
        assert!(late > 0);
        assert_eq!(figures[1].overdue, late);
        assert_eq!(figures[0].overdue, 0);

        // Of one kind only.
        let (figures, total) = completeness(&members, &courses, "parent_coaching", TODAY);
        assert_eq!(total.active, 1);
        assert_eq!((figures[1].completeness.active, figures[1].overdue), (1, 0));
        assert_eq!(figures[0].completeness, Completeness::default());

        let (figures, total) = completeness(&[], &[], "", TODAY);
        assert!(figures.is_empty());
        assert_eq!(total, Completeness::default());
    }

    fn member_load(n: u128, open: i64, coachings: i64, last: Option<Date>) -> repo::MemberLoad {
        repo::MemberLoad {
            member_id: id(n),
            open_courses: open,
            capacity: 3,
            coachings,
            last_coaching: last,
        }
    }

    #[test]
    fn load_lists_the_chosen_member_or_everyone_with_a_load() {
        let members = [member(1, "Anna"), member(2, "Bo"), member(3, "Carl")];
        let courses = [course(Some(2), "mentor", "active", 20)];
        let (figures, _) = completeness(&members, &courses, "", TODAY);
        let loads = [
            member_load(2, 2, 1, Some(date!(2026 - 11 - 02))),
            member_load(1, 0, 0, None),
        ];
        let all = load(&figures, &loads, None);
        assert_eq!(
            all.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
            ["Anna", "Bo"],
            "in the members' order; Carl has no load row"
        );
        assert_eq!(
            all[1],
            MemberLoad {
                id: id(2),
                name: "Bo".to_string(),
                open_courses: 2,
                capacity: 3,
                overdue: figures[1].overdue,
                due_soon: figures[1].due_soon,
                coachings: 1,
                last_coaching: Some(date!(2026 - 11 - 02)),
            }
        );
        let bo = load(&figures, &loads, Some(id(2)));
        assert_eq!(bo.len(), 1);
        assert_eq!(bo[0].id, id(2));
        assert!(load(&figures, &loads, Some(id(3))).is_empty());
    }

    #[test]
    fn the_overview_signs_each_change_and_lists_members_with_active_courses() {
        let rows = OverviewRows {
            members: vec![member(1, "Anna"), member(2, "Bo")],
            courses: vec![course(Some(2), "mentor", "active", 2)],
            loads: Vec::new(),
            counts: vec![repo::KindState {
                kind: CourseKind::Mentor,
                state: CourseState::Active,
                count: 1,
            }],
            monthly: vec![month(1, date!(2026 - 10 - 01), 1, 1, 7.0)],
            background: Vec::new(),
            changes: vec![
                repo::Change {
                    measure: Scale::Wellbeing,
                    courses: 3,
                    average_change: Some(4.26),
                },
                repo::Change {
                    measure: Scale::Mastery,
                    courses: 1,
                    average_change: Some(-0.5),
                },
                repo::Change {
                    measure: Scale::Mastery,
                    courses: 0,
                    average_change: None,
                },
            ],
        };
        let overview = overview(&rows, "", None, TODAY);
        let changes: Vec<(Scale, i64, &str)> = overview
            .changes
            .iter()
            .map(|c| (c.measure, c.courses, c.change.as_str()))
            .collect();
        // The coordinator sees averages over any number of courses, unsuppressed.
        assert_eq!(
            changes,
            [
                (Scale::Wellbeing, 3, "+4.3"),
                (Scale::Mastery, 1, "-0.5"),
                (Scale::Mastery, 0, "")
            ]
        );
        assert_eq!(
            overview
                .with_active_courses()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>(),
            ["Bo"]
        );
        assert_eq!(overview.members.len(), 2);
        assert_eq!(
            overview.table.state_totals[state_index(CourseState::Active)].1,
            1
        );
        // One course rated is enough for the coordinator's trend.
        assert_eq!(overview.trend.len(), 1);
        assert_eq!(overview.trend[0].average, 7.0);
    }
}
