//! Training rules without I/O: the forms of cohorts, modules and events, the seats a
//! municipality has left, when a programme is completed, and where a cohort stands.

use serde::Deserialize;
use time::Date;
use uuid::Uuid;

pub use crate::applications::model::{PerProgramme, Programme};
use crate::i18n::TrainingMessages;
use crate::web::forms::{FieldErrors, parse_date, trimmed};

/// Programmes whose completion makes a corps member trained (coordinators train too,
/// but coordinators are not corps members).
pub const MEMBER_PROGRAMMES: [Programme; 2] = [Programme::Mentor, Programme::ParentCoach];

const MAX_PLACE: usize = 200;

crate::vocab::coded_enum!(
    /// The corps-wide events of the 2015 guide: national network meetings and advanced modules.
    EventKind { NetworkMeeting = "network_meeting", AdvancedModule = "advanced_module" }
);

impl EventKind {
    pub fn label(self, t: &TrainingMessages) -> &'static str {
        match self {
            EventKind::NetworkMeeting => t.kind_network_meeting,
            EventKind::AdvancedModule => t.kind_advanced_module,
        }
    }
}

/// Seats left: granted minus taken, never below zero.
pub fn seats_left(granted: i64, taken: i64) -> i64 {
    (granted - taken).max(0)
}

/// Why a nomination is refused for lack of seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatRefusal {
    /// The municipality (with its partners) has used the seats its application was granted.
    MunicipalityFull,
    /// The cohort has no more places in the programme.
    CohortFull,
}

/// May one more participant be nominated in a programme? `pool` is (granted, taken) of
/// the municipality's approved application in the cohort's round, `cohort` the cohort's
/// own (places, taken).
pub fn may_nominate(pool: (i64, i64), cohort: (i64, i64)) -> Result<(), SeatRefusal> {
    if seats_left(pool.0, pool.1) == 0 {
        return Err(SeatRefusal::MunicipalityFull);
    }
    if seats_left(cohort.0, cohort.1) == 0 {
        return Err(SeatRefusal::CohortFull);
    }
    Ok(())
}

/// A module as the completion rule sees it.
#[derive(Debug, Clone)]
pub struct ModuleDates {
    pub id: Uuid,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub programmes: Vec<Programme>,
}

impl ModuleDates {
    pub fn last_day(&self) -> Date {
        self.ends_on.unwrap_or(self.starts_on)
    }

    pub fn is_for(&self, programme: Programme) -> bool {
        self.programmes.contains(&programme)
    }
}

/// The date a participant completed `programme`: every module for the programme attended,
/// completed on the last day of the last one. `None` while any is missing, or when the
/// cohort has no module for the programme yet.
pub fn completion(
    modules: &[ModuleDates],
    programme: Programme,
    attended: &[Uuid],
) -> Option<Date> {
    let required: Vec<&ModuleDates> = modules.iter().filter(|m| m.is_for(programme)).collect();
    if required.is_empty() || !required.iter().all(|m| attended.contains(&m.id)) {
        return None;
    }
    required.iter().map(|m| m.last_day()).max()
}

/// Where a cohort stands by its module dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No module has started (or none is planned yet).
    Planned,
    Running,
    /// Every module is over.
    Completed,
}

impl Phase {
    pub fn of(modules: &[ModuleDates], today: Date) -> Phase {
        if modules.is_empty() || modules.iter().all(|m| m.starts_on > today) {
            Phase::Planned
        } else if modules.iter().all(|m| m.last_day() < today) {
            Phase::Completed
        } else {
            Phase::Running
        }
    }

    pub fn label(self, t: &TrainingMessages) -> &'static str {
        match self {
            Phase::Planned => t.phase_planned,
            Phase::Running => t.phase_running,
            Phase::Completed => t.phase_completed,
        }
    }

    pub fn badge(self) -> &'static str {
        match self {
            Phase::Planned => "badge",
            Phase::Running => "badge badge-info",
            Phase::Completed => "badge badge-success",
        }
    }
}

/// "29-01-2016" or "11-02-2016 – 12-02-2016".
pub fn format_span(starts_on: Date, ends_on: Option<Date>) -> String {
    match ends_on {
        Some(end) if end != starts_on => format!(
            "{} – {}",
            crate::clock::format_date(starts_on),
            crate::clock::format_date(end)
        ),
        _ => crate::clock::format_date(starts_on),
    }
}

fn seat_number(text: &str) -> Option<i16> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    text.parse::<i16>().ok().filter(|n| (0..=500).contains(n))
}

fn name_ok(name: &str) -> bool {
    (2..=200).contains(&name.chars().count())
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CohortForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub round_id: String,
    #[serde(default)]
    pub mentor_seats: String,
    #[serde(default)]
    pub parent_coach_seats: String,
    #[serde(default)]
    pub coordinator_seats: String,
    #[serde(default)]
    pub corps_until: String,
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

pub struct ValidCohort {
    pub name: String,
    pub round_id: Option<Uuid>,
    pub seats: [i16; 3],
    pub corps_until: Date,
}

impl CohortForm {
    /// `rounds`: the training rounds a cohort may be linked to.
    pub fn validate(
        &self,
        rounds: &[Uuid],
        t: &TrainingMessages,
    ) -> Result<ValidCohort, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if !name_ok(name) {
            errors.add("name", t.enter_cohort_name);
        }
        let round_id = match self.round_id.trim() {
            "" => None,
            text => match Uuid::parse_str(text).ok().filter(|id| rounds.contains(id)) {
                Some(id) => Some(id),
                None => {
                    errors.add("round_id", t.choose_round);
                    None
                }
            },
        };
        let mut seats = [0i16; 3];
        for (i, (field, value)) in [
            ("mentor_seats", &self.mentor_seats),
            ("parent_coach_seats", &self.parent_coach_seats),
            ("coordinator_seats", &self.coordinator_seats),
        ]
        .into_iter()
        .enumerate()
        {
            match seat_number(value) {
                Some(n) => seats[i] = n,
                None => errors.add(field, t.seats_invalid),
            }
        }
        if errors.get("mentor_seats").is_none()
            && errors.get("parent_coach_seats").is_none()
            && errors.get("coordinator_seats").is_none()
            && seats.iter().all(|n| *n == 0)
        {
            errors.add("mentor_seats", t.seats_none);
        }
        let corps_until = parse_date(&self.corps_until);
        if corps_until.is_none() {
            errors.add("corps_until", t.corps_until_invalid);
        }
        match (errors.is_empty(), corps_until) {
            (true, Some(corps_until)) => Ok(ValidCohort {
                name: name.to_string(),
                round_id,
                seats,
                corps_until,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ModuleForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub programmes: Vec<String>,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

pub struct ValidModule {
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub place: String,
    pub programmes: Vec<Programme>,
}

impl ModuleForm {
    /// `offered`: the programmes that may be chosen (the cohort's, or the event's two).
    pub fn validate(
        &self,
        offered: &[Programme],
        t: &TrainingMessages,
    ) -> Result<ValidModule, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim();
        if !name_ok(title) {
            errors.add("title", t.enter_module_title);
        }
        let starts_on = parse_date(&self.starts_on);
        if starts_on.is_none() {
            errors.add("starts_on", t.date_invalid);
        }
        let ends_on = match trimmed(&self.ends_on) {
            None => None,
            Some(text) => match parse_date(&text) {
                Some(end) if starts_on.is_none_or(|start| end >= start) => Some(end),
                Some(_) => {
                    errors.add("ends_on", t.ends_before_start);
                    None
                }
                None => {
                    errors.add("ends_on", t.date_invalid);
                    None
                }
            },
        };
        let place = self.place.trim();
        if place.chars().count() > MAX_PLACE {
            errors.add("place", t.place_too_long);
        }
        let programmes: Vec<Programme> = offered
            .iter()
            .copied()
            .filter(|p| self.programmes.iter().any(|code| code == p.code()))
            .collect();
        if programmes.is_empty() {
            errors.add("programmes", t.choose_programmes);
        }
        match (errors.is_empty(), starts_on) {
            (true, Some(starts_on)) => Ok(ValidModule {
                title: title.to_string(),
                starts_on,
                ends_on: ends_on.filter(|end| *end != starts_on),
                place: place.to_string(),
                programmes,
            }),
            _ => Err(errors),
        }
    }
}

/// An event: its kind and the same fields as a module.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub programmes: Vec<String>,
    #[serde(default)]
    pub form_key: Option<Uuid>,
}

impl EventForm {
    pub fn module(&self) -> ModuleForm {
        ModuleForm {
            title: self.title.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            place: self.place.clone(),
            programmes: self.programmes.clone(),
            form_key: self.form_key,
        }
    }

    pub fn validate(&self, t: &TrainingMessages) -> Result<(EventKind, ValidModule), FieldErrors> {
        let kind = EventKind::from_code(&self.kind);
        let module = self.module().validate(&MEMBER_PROGRAMMES, t);
        match (kind, module) {
            (Some(kind), Ok(module)) => Ok((kind, module)),
            (kind, module) => {
                let mut errors = FieldErrors::default();
                if kind.is_none() {
                    errors.add("kind", t.choose_event_kind);
                }
                if let Err(more) = module {
                    for (field, message) in more.iter() {
                        errors.add(field, message);
                    }
                }
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use time::macros::date;

    fn module(day: Date, end: Option<Date>, programmes: &[&str]) -> ModuleDates {
        ModuleDates {
            id: Uuid::new_v4(),
            starts_on: day,
            ends_on: end,
            programmes: programmes
                .iter()
                .map(|p| Programme::from_code(p).unwrap())
                .collect(),
        }
    }

    /// The winter 2016 cohort of the 2015 guide: a joint intro day, then three modules
    /// each for mentors and for parent coaches.
    fn winter_2016() -> Vec<ModuleDates> {
        vec![
            module(date!(2016 - 01 - 29), None, &["mentor", "parent_coach"]),
            module(
                date!(2016 - 02 - 11),
                Some(date!(2016 - 02 - 12)),
                &["mentor"],
            ),
            module(
                date!(2016 - 03 - 03),
                Some(date!(2016 - 03 - 04)),
                &["parent_coach"],
            ),
            module(
                date!(2016 - 04 - 07),
                Some(date!(2016 - 04 - 08)),
                &["mentor"],
            ),
            module(
                date!(2016 - 04 - 28),
                Some(date!(2016 - 04 - 29)),
                &["parent_coach"],
            ),
            module(date!(2016 - 05 - 27), None, &["mentor"]),
            module(date!(2016 - 06 - 10), None, &["parent_coach"]),
        ]
    }

    #[test]
    fn seats_left_never_goes_below_zero() {
        assert_eq!(seats_left(4, 1), 3);
        assert_eq!(seats_left(2, 2), 0);
        assert_eq!(seats_left(2, 5), 0, "seats granted down after nominations");
    }

    #[test]
    fn the_last_seat_is_nominated_and_the_next_refused() {
        assert_eq!(may_nominate((2, 1), (25, 10)), Ok(()));
        assert_eq!(
            may_nominate((2, 2), (25, 10)),
            Err(SeatRefusal::MunicipalityFull)
        );
        assert_eq!(
            may_nominate((0, 0), (25, 0)),
            Err(SeatRefusal::MunicipalityFull)
        );
        assert_eq!(may_nominate((3, 1), (25, 25)), Err(SeatRefusal::CohortFull));
    }

    #[test]
    fn attending_every_module_of_the_programme_completes_it_on_the_last_day() {
        let modules = winter_2016();
        let mentor: Vec<Uuid> = modules
            .iter()
            .filter(|m| m.is_for(Programme::Mentor))
            .map(|m| m.id)
            .collect();
        assert_eq!(
            completion(&modules, Programme::Mentor, &mentor),
            Some(date!(2016 - 05 - 27))
        );
        // The mentor modules say nothing about the parent-coach programme.
        assert_eq!(completion(&modules, Programme::ParentCoach, &mentor), None);
    }

    #[test]
    fn a_missing_module_keeps_the_programme_incomplete() {
        let modules = winter_2016();
        let all_but_intro: Vec<Uuid> = modules
            .iter()
            .skip(1)
            .filter(|m| m.is_for(Programme::ParentCoach))
            .map(|m| m.id)
            .collect();
        assert_eq!(
            completion(&modules, Programme::ParentCoach, &all_but_intro),
            None
        );
        assert_eq!(
            completion(&[], Programme::Mentor, &[]),
            None,
            "no modules yet"
        );
    }

    #[test]
    fn a_module_over_several_days_completes_on_its_last_day() {
        let modules = vec![module(
            date!(2026 - 03 - 03),
            Some(date!(2026 - 03 - 04)),
            &["mentor"],
        )];
        let ids = vec![modules[0].id];
        assert_eq!(
            completion(&modules, Programme::Mentor, &ids),
            Some(date!(2026 - 03 - 04))
        );
    }

    #[test]
    fn the_phase_follows_the_module_dates() {
        let modules = winter_2016();
        assert_eq!(Phase::of(&modules, date!(2016 - 01 - 01)), Phase::Planned);
        assert_eq!(Phase::of(&modules, date!(2016 - 03 - 01)), Phase::Running);
        assert_eq!(Phase::of(&modules, date!(2016 - 06 - 11)), Phase::Completed);
        assert_eq!(Phase::of(&[], date!(2016 - 06 - 11)), Phase::Planned);
    }

    #[test]
    fn a_module_needs_a_title_a_date_and_a_programme() {
        let t = &Locale::Da.messages().training;
        let form = ModuleForm {
            title: "Modul 2".into(),
            starts_on: "12-02-2016".into(),
            ends_on: "11-02-2016".into(),
            ..ModuleForm::default()
        };
        let errors = form
            .validate(&[Programme::Mentor], t)
            .err()
            .expect("invalid");
        assert_eq!(errors.get("ends_on"), Some(t.ends_before_start));
        assert_eq!(errors.get("programmes"), Some(t.choose_programmes));
        let form = ModuleForm {
            title: "Modul 1 – Fælles introdag".into(),
            starts_on: "2016-01-29".into(),
            programmes: vec!["mentor".into(), "parent_coach".into(), "hacker".into()],
            ..ModuleForm::default()
        };
        let valid = form
            .validate(&[Programme::Mentor, Programme::ParentCoach], t)
            .unwrap_or_else(|errors| panic!("valid: {errors:?}"));
        assert_eq!(
            valid.programmes,
            vec![Programme::Mentor, Programme::ParentCoach]
        );
    }

    #[test]
    fn a_cohort_needs_seats_and_an_obligation_date() {
        let t = &Locale::Da.messages().training;
        let form = CohortForm {
            name: "Hold 1".into(),
            corps_until: "31-12-2018".into(),
            ..CohortForm::default()
        };
        let errors = form.validate(&[], t).err().expect("no seats");
        assert_eq!(errors.get("mentor_seats"), Some(t.seats_none));
        let form = CohortForm {
            mentor_seats: "25".into(),
            parent_coach_seats: "-1".into(),
            round_id: Uuid::new_v4().to_string(),
            ..form
        };
        let errors = form.validate(&[], t).err().expect("bad seats");
        assert_eq!(errors.get("parent_coach_seats"), Some(t.seats_invalid));
        assert_eq!(
            errors.get("round_id"),
            Some(t.choose_round),
            "not a training round"
        );
    }
}
