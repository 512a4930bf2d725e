//! The rules of a citizen's insight, without I/O: which audit actions read (and which
//! change), what the check of reads flags, and the data extract as one serialisable
//! document with stable keys.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::repo;
use crate::audit::ACTIONS;
use crate::clock;
use crate::i18n::{Locale, Messages};
use crate::tools;
use crate::vocab::{self, CourseKind, CourseState, GoalsReached, SessionKind, ToolPhase};

/// Whether an audit action only shows or hands out data (a read) rather than changing it.
/// Exports and downloads are reads: they hand the data to someone.
pub fn is_read(action: &str) -> bool {
    action.ends_with("_read")
        || action.ends_with("_exported")
        || action.ends_with("_downloaded")
        || action == "citizen_access_letter_made"
}

/// The action codes that are reads, for queries.
pub fn read_actions() -> Vec<String> {
    ACTIONS
        .iter()
        .filter(|action| is_read(action))
        .map(|action| action.to_string())
        .collect()
}

/// A day on which a user read unusually many different citizens.
#[derive(Debug, Clone, PartialEq)]
pub struct Unusual {
    pub actor_id: Uuid,
    pub actor_name: String,
    pub day: Date,
    pub citizens: i64,
    /// The median of the user's other days in the period (0 without other days).
    pub usual: f64,
}

/// At least this many different citizens in a day before a day can be unusual.
pub const UNUSUAL_AT_LEAST: i64 = 20;
/// … and more than this many times the user's usual day.
pub const UNUSUAL_FACTOR: f64 = 3.0;

fn median(values: &mut [i64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    }
}

/// The unusual days among `days` (per user and day, the number of different citizens
/// read): at least `UNUSUAL_AT_LEAST` and more than `UNUSUAL_FACTOR` × the median of the
/// same user's other days. A user's first busy day counts against a median of 0, so a
/// burst by someone who rarely reads is flagged too. Newest first.
pub fn unusual_days(days: &[repo::DailyReads], unknown: &str) -> Vec<Unusual> {
    let mut flagged = Vec::new();
    for day in days {
        let mut others: Vec<i64> = days
            .iter()
            .filter(|other| other.actor_id == day.actor_id && other.day != day.day)
            .map(|other| other.citizens)
            .collect();
        let usual = median(&mut others);
        if day.citizens >= UNUSUAL_AT_LEAST && day.citizens as f64 > UNUSUAL_FACTOR * usual {
            flagged.push(Unusual {
                actor_id: day.actor_id,
                actor_name: day
                    .actor_name
                    .clone()
                    .unwrap_or_else(|| unknown.to_string()),
                day: day.day,
                citizens: day.citizens,
                usual,
            });
        }
    }
    flagged.sort_by(|a, b| b.day.cmp(&a.day).then(b.citizens.cmp(&a.citizens)));
    flagged
}

/// Takes the items `wanted` out of `list`, in order (`Vec::extract_if` needs Rust 1.87).
fn take<T>(list: &mut Vec<T>, wanted: impl Fn(&T) -> bool) -> Vec<T> {
    let (taken, rest) = std::mem::take(list)
        .into_iter()
        .partition(|item| wanted(item));
    *list = rest;
    taken
}

/// "2026-11-22": dates in the extract, as JSON readers expect them.
fn iso(date: Date) -> String {
    format!(
        "{}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An instant in Danish time, RFC 3339.
fn instant(at: OffsetDateTime) -> String {
    clock::to_danish(at)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn label_of(pairs: &[(&str, &'static str)], code: &str) -> String {
    pairs
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, name)| name.to_string())
}

/// A code and its name in the reader's language.
#[derive(Debug, Serialize)]
pub struct Coded {
    pub code: String,
    pub label: String,
}

impl Coded {
    fn new(code: &str, label: impl Into<String>) -> Coded {
        Coded {
            code: code.to_string(),
            label: label.into(),
        }
    }

    fn vocab(t: &'static Messages, code: &str) -> Coded {
        Coded::new(code, vocab::label(t, code))
    }

    fn list(t: &'static Messages, codes: &[String]) -> Vec<Coded> {
        codes.iter().map(|code| Coded::vocab(t, code)).collect()
    }
}

/// Everything Korps holds about one citizen (GDPR art. 15 and 20). The keys are stable:
/// a reader of an earlier extract reads a later one. `format` names the shape.
#[derive(Debug, Serialize)]
pub struct Extract {
    pub format: &'static str,
    pub made_at: String,
    pub controller: String,
    pub citizen: Profile,
    pub consents: Vec<Consent>,
    pub relations: Vec<Relation>,
    pub conflicts: Vec<Conflict>,
    pub courses: Vec<Course>,
    /// Files about the citizen; Korps keeps none yet.
    pub attachments: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Profile {
    pub id: Uuid,
    pub kind: Coded,
    pub name: String,
    pub birth_year: Option<i16>,
    pub gender: Option<Coded>,
    pub languages: Vec<Coded>,
    pub cultural_background: Option<Coded>,
    pub referred_on: String,
    pub referral_source: Coded,
    pub referred_by: String,
    pub criteria: Vec<Coded>,
    pub legal_basis: Coded,
    pub legal_basis_note: String,
    pub preferred_gender: Option<Coded>,
    pub preferred_age_band: Option<Coded>,
    pub preferred_language: Option<Coded>,
    pub preferred_culture: Option<Coded>,
    pub preference_note: String,
    pub needs_religion_politics: bool,
    pub needed_temperament: Option<i16>,
    pub needed_experience: Vec<Coded>,
    pub needed_availability: Vec<Coded>,
    pub other_efforts: Vec<Coded>,
    pub other_efforts_note: String,
    pub registered_at: String,
    pub changed_at: String,
}

#[derive(Debug, Serialize)]
pub struct Consent {
    pub kind: Coded,
    pub given_by: Coded,
    pub given_on: String,
    pub withdrawn_on: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A relative or the mentee of a relative: the citizen's own family, by relation and
/// name only — nothing else of that person's record.
#[derive(Debug, Serialize)]
pub struct Relation {
    pub relation: Coded,
    /// "relative" when the other person is the citizen's relative, "mentee" when the
    /// citizen is the other person's relative.
    pub other_is: &'static str,
    pub name: String,
}

/// A member the citizen must never be matched with: who and why, without the member's
/// own profile or notes.
#[derive(Debug, Serialize)]
pub struct Conflict {
    pub member: String,
    pub reason: Coded,
    pub recorded_at: String,
}

#[derive(Debug, Serialize)]
pub struct Course {
    pub id: Uuid,
    pub kind: Coded,
    pub title: String,
    pub state: Coded,
    pub member: String,
    pub taking_part_since: String,
    pub referred_on: String,
    pub matched_on: Option<String>,
    pub started_on: Option<String>,
    pub planned_end_on: Option<String>,
    pub ended_on: Option<String>,
    pub closed_on: Option<String>,
    pub goals_reached: Option<Coded>,
    pub end_note: String,
    pub cancel_reason: String,
    pub match_override_reason: String,
    pub next_meeting: Option<NextMeeting>,
    pub events: Vec<Event>,
    pub sessions: Vec<Session>,
    pub tools: Vec<Tool>,
    pub measurements: Vec<Measurement>,
}

#[derive(Debug, Serialize)]
pub struct NextMeeting {
    pub at: String,
    pub minutes: Option<i16>,
    pub place: String,
}

#[derive(Debug, Serialize)]
pub struct Event {
    pub at: String,
    pub kind: Coded,
    pub from_state: Option<Coded>,
    pub to_state: Option<Coded>,
    pub note: String,
    pub by: String,
}

#[derive(Debug, Serialize)]
pub struct Session {
    pub held_on: String,
    pub minutes: i16,
    pub kind: Coded,
    pub participants: String,
    pub notes: String,
    pub tools: Vec<Coded>,
    pub next_step: String,
    pub logged_by: String,
    pub version: i32,
    pub logged_at: String,
    pub changed_at: String,
    /// Earlier versions, replaced by a correction.
    pub earlier_versions: Vec<SessionVersion>,
}

#[derive(Debug, Serialize)]
pub struct SessionVersion {
    pub version: i32,
    pub held_on: String,
    pub minutes: i16,
    pub kind: Coded,
    pub participants: String,
    pub notes: String,
    pub tools: Vec<Coded>,
    pub next_step: String,
    pub changed_by: String,
    pub replaced_at: String,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub tool: Coded,
    pub version: i16,
    pub phase: Option<Coded>,
    pub filled_on: String,
    pub filled_by: String,
    /// Each answer with the question it answers, as the tool's version words it.
    pub answers: Vec<Answer>,
}

#[derive(Debug, Serialize)]
pub struct Answer {
    pub section: String,
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Serialize)]
pub struct Measurement {
    pub kind: Coded,
    pub value: f64,
    pub measured_on: String,
}

/// What the repo read about one citizen.
pub struct Read {
    pub profile: repo::Profile,
    pub consents: Vec<repo::Consent>,
    pub relations: Vec<repo::Relation>,
    pub conflicts: Vec<repo::Conflict>,
    pub courses: Vec<repo::Course>,
    pub events: Vec<repo::CourseEvent>,
    pub sessions: Vec<repo::Session>,
    pub versions: Vec<repo::SessionVersion>,
    pub tools: Vec<repo::ToolAnswer>,
    pub measurements: Vec<repo::Measurement>,
}

fn session_kind(t: &'static Messages, code: &str) -> Coded {
    match SessionKind::from_code(code) {
        Some(kind) => Coded::new(code, kind.label(t)),
        None => Coded::vocab(t, code),
    }
}

fn state(t: &'static Messages, code: &str) -> Coded {
    match CourseState::from_code(code) {
        Some(state) => Coded::new(code, state.label(t)),
        None => Coded::vocab(t, code),
    }
}

/// The answers of a filled tool with their questions, in the words of its version.
fn answers(tool: &repo::ToolAnswer, locale: Locale) -> (String, Vec<Answer>) {
    let Some(known) = tools::catalog::find(&tool.tool) else {
        return (tool.tool.clone(), raw_answers(&tool.answers));
    };
    let title = known.title.get(locale).to_string();
    let Some(definition) = known.version(tool.version) else {
        return (title, raw_answers(&tool.answers));
    };
    let sections = tools::form::view(
        definition,
        &tool.answers.as_object().cloned().unwrap_or_default(),
        &crate::web::forms::FieldErrors::default(),
        locale,
        None,
    );
    let mut list = Vec::new();
    for section in sections {
        for field in section.fields {
            if field.kind == "group" {
                for item in field.items {
                    for inner in item.fields {
                        let answer = inner.shown();
                        if !answer.is_empty() {
                            list.push(Answer {
                                section: section.title.to_string(),
                                question: format!("{}: {}", item.title, inner.label),
                                answer,
                            });
                        }
                    }
                }
            } else {
                let answer = field.shown();
                if !answer.is_empty() {
                    list.push(Answer {
                        section: section.title.to_string(),
                        question: field.label.to_string(),
                        answer,
                    });
                }
            }
        }
    }
    (title, list)
}

/// Answers of a tool Korps no longer knows: key and value as stored.
fn raw_answers(answers: &serde_json::Value) -> Vec<Answer> {
    answers
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| Answer {
                    section: String::new(),
                    question: key.clone(),
                    answer: match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    },
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The extract of what was read, in `locale`'s words, made `now` for `controller` (the
/// municipality).
pub fn extract(read: Read, controller: String, now: OffsetDateTime, locale: Locale) -> Extract {
    let t = locale.messages();
    let unknown = || t.insight.access_unknown.to_string();
    let p = read.profile;
    let opt = |value: &Option<String>| value.as_deref().map(|code| Coded::vocab(t, code));
    let citizen = Profile {
        id: p.id,
        kind: Coded::vocab(t, &p.kind),
        name: p.name,
        birth_year: p.birth_year,
        gender: opt(&p.gender),
        languages: Coded::list(t, &p.languages),
        cultural_background: opt(&p.cultural_background),
        referred_on: iso(p.referred_on),
        referral_source: Coded::vocab(t, &p.referral_source),
        referred_by: p.referred_by,
        criteria: Coded::list(t, &p.criteria),
        legal_basis: Coded::vocab(t, &p.legal_basis),
        legal_basis_note: p.legal_basis_note,
        preferred_gender: opt(&p.preferred_gender),
        preferred_age_band: opt(&p.preferred_age_band),
        preferred_language: opt(&p.preferred_language),
        preferred_culture: opt(&p.preferred_culture),
        preference_note: p.preference_note,
        needs_religion_politics: p.needs_religion_politics,
        needed_temperament: p.needed_temperament,
        needed_experience: Coded::list(t, &p.needed_experience),
        needed_availability: Coded::list(t, &p.needed_availability),
        other_efforts: Coded::list(t, &p.other_efforts),
        other_efforts_note: p.other_efforts_note,
        registered_at: instant(p.created_at),
        changed_at: instant(p.updated_at),
    };
    let consents = read
        .consents
        .into_iter()
        .map(|c| Consent {
            kind: Coded::vocab(t, &c.kind),
            given_by: Coded::vocab(t, &c.given_by),
            given_on: iso(c.given_on),
            withdrawn_on: c.withdrawn_on.map(iso),
            recorded_by: c.recorded_by.unwrap_or_else(unknown),
            recorded_at: instant(c.created_at),
        })
        .collect();
    let relations = read
        .relations
        .into_iter()
        .map(|r| Relation {
            relation: Coded::vocab(t, &r.relation),
            other_is: if r.other_is_relative {
                "relative"
            } else {
                "mentee"
            },
            name: r.other_name,
        })
        .collect();
    let conflicts = read
        .conflicts
        .into_iter()
        .map(|c| Conflict {
            member: c.member_name.unwrap_or_else(unknown),
            reason: Coded::vocab(t, &c.reason),
            recorded_at: instant(c.created_at),
        })
        .collect();
    let mut versions = read.versions;
    let mut events = read.events;
    let mut sessions = read.sessions;
    let mut tool_answers = read.tools;
    let mut measurements = read.measurements;
    let courses = read
        .courses
        .into_iter()
        .map(|c| {
            let id = c.id;
            let mine = |course: Uuid| course == id;
            let course_sessions: Vec<repo::Session> = take(&mut sessions, |s| mine(s.course_id));
            Course {
                id,
                kind: match CourseKind::from_code(&c.kind) {
                    Some(kind) => Coded::new(&c.kind, kind.label(t)),
                    None => Coded::vocab(t, &c.kind),
                },
                title: c.title,
                state: state(t, &c.state),
                member: c.member_name.unwrap_or_default(),
                taking_part_since: iso(c.joined_on),
                referred_on: iso(c.referred_on),
                matched_on: c.matched_on.map(iso),
                started_on: c.started_on.map(iso),
                planned_end_on: c.planned_end_on.map(iso),
                ended_on: c.ended_on.map(iso),
                closed_on: c.closed_on.map(iso),
                goals_reached: c.goals_reached.as_deref().map(
                    |code| match GoalsReached::from_code(code) {
                        Some(goals) => Coded::new(code, goals.label(t)),
                        None => Coded::vocab(t, code),
                    },
                ),
                end_note: c.end_note,
                cancel_reason: c.cancel_reason,
                match_override_reason: c.match_override_reason,
                next_meeting: c.next_meeting_at.map(|at| NextMeeting {
                    at: instant(at),
                    minutes: c.next_meeting_minutes,
                    place: c.next_meeting_place.clone(),
                }),
                events: take(&mut events, |e| mine(e.course_id))
                    .into_iter()
                    .map(|e| Event {
                        at: instant(e.at),
                        kind: Coded::new(&e.kind, label_of(t.insight.event_kinds, &e.kind)),
                        from_state: e.from_state.as_deref().map(|code| state(t, code)),
                        to_state: e.to_state.as_deref().map(|code| state(t, code)),
                        note: e.note,
                        by: e.actor_name.unwrap_or_else(unknown),
                    })
                    .collect(),
                sessions: course_sessions
                    .into_iter()
                    .map(|s| Session {
                        earlier_versions: take(&mut versions, |v| v.session_id == s.id)
                            .into_iter()
                            .map(|v| SessionVersion {
                                version: v.version,
                                held_on: iso(v.held_on),
                                minutes: v.duration_minutes,
                                kind: session_kind(t, &v.kind),
                                participants: v.participants,
                                notes: v.notes,
                                tools: Coded::list(t, &v.tools),
                                next_step: v.next_step,
                                changed_by: v.changed_by.unwrap_or_else(unknown),
                                replaced_at: instant(v.replaced_at),
                            })
                            .collect(),
                        held_on: iso(s.held_on),
                        minutes: s.duration_minutes,
                        kind: session_kind(t, &s.kind),
                        participants: s.participants,
                        notes: s.notes,
                        tools: Coded::list(t, &s.tools),
                        next_step: s.next_step,
                        logged_by: s.logged_by.unwrap_or_else(unknown),
                        version: s.version,
                        logged_at: instant(s.created_at),
                        changed_at: instant(s.updated_at),
                    })
                    .collect(),
                tools: take(&mut tool_answers, |a| mine(a.course_id))
                    .into_iter()
                    .map(|a| {
                        let (title, answers) = answers(&a, locale);
                        Tool {
                            tool: Coded::new(&a.tool, title),
                            version: a.version,
                            phase: a.phase.as_deref().map(|code| {
                                match ToolPhase::from_code(code) {
                                    Some(phase) => Coded::new(code, phase.label(t)),
                                    None => Coded::vocab(t, code),
                                }
                            }),
                            filled_on: iso(a.filled_on),
                            filled_by: a.filled_by.unwrap_or_else(unknown),
                            answers,
                        }
                    })
                    .collect(),
                measurements: take(&mut measurements, |m| mine(m.course_id))
                    .into_iter()
                    .map(|m| Measurement {
                        kind: Coded::new(&m.kind, label_of(t.insight.measurement_kinds, &m.kind)),
                        value: m.value,
                        measured_on: iso(m.measured_on),
                    })
                    .collect(),
            }
        })
        .collect();
    Extract {
        format: "korps-dataudtraek/1",
        made_at: instant(now),
        controller,
        citizen,
        consents,
        relations,
        conflicts,
        courses,
        attachments: Vec::new(),
    }
}

/// "22-11-2026" for "2026-11-22", and "22-11-2026 14:05" for an RFC 3339 instant: the
/// extract's ISO texts as the printable page shows them.
pub fn danish(text: &str) -> String {
    let date = text.get(..10).and_then(|day| {
        Date::parse(
            day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    });
    match (date, text.get(11..16)) {
        (Some(date), Some(clock)) if text.len() > 10 => {
            format!("{} {clock}", clock::format_date(date))
        }
        (Some(date), _) => clock::format_date(date),
        (None, _) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn day(actor: u128, on: Date, citizens: i64) -> repo::DailyReads {
        repo::DailyReads {
            actor_id: Uuid::from_u128(actor),
            actor_name: Some(format!("User {actor}")),
            day: on,
            citizens,
        }
    }

    #[test]
    fn reads_and_exports_are_reads_and_the_rest_changes() {
        assert!(is_read("citizen_read"));
        assert!(is_read("course_list_read"));
        assert!(is_read("data_exported"));
        assert!(is_read("citizen_access_letter_made"));
        assert!(!is_read("citizen_updated"));
        assert!(!is_read("session_logged"));
        assert!(!is_read("consent_withdrawn"));
        let reads = read_actions();
        assert!(reads.contains(&"tool_read".to_string()));
        assert!(!reads.contains(&"tool_filled".to_string()));
    }

    #[test]
    fn a_burst_well_above_the_usual_day_is_flagged() {
        let mut days: Vec<repo::DailyReads> = (1..=5)
            .map(|d| day(1, date!(2026 - 11 - 01) + time::Duration::days(d), 4))
            .collect();
        days.push(day(1, date!(2026 - 11 - 20), 25));
        // 13 is above 3 × 4 but below the floor of 20; a steady heavy reader is usual.
        days.push(day(1, date!(2026 - 11 - 21), 13));
        for d in 1..=4 {
            days.push(day(2, date!(2026 - 11 - 01) + time::Duration::days(d), 40));
        }
        // A first day with many reads counts against a usual day of 0.
        days.push(day(3, date!(2026 - 11 - 02), 21));
        days.push(day(4, date!(2026 - 11 - 02), 19));
        let flagged = unusual_days(&days, "?");
        let seen: Vec<(u128, Date, i64)> = flagged
            .iter()
            .map(|f| (f.actor_id.as_u128(), f.day, f.citizens))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, date!(2026 - 11 - 20), 25),
                (3, date!(2026 - 11 - 02), 21)
            ]
        );
        assert_eq!(flagged[0].usual, 4.0);
        assert_eq!(flagged[1].usual, 0.0);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_middle_pair() {
        assert_eq!(median(&mut [1, 9, 3, 5]), 4.0);
        assert_eq!(median(&mut []), 0.0);
    }

    #[test]
    fn iso_texts_are_shown_the_danish_way() {
        assert_eq!(danish("2026-11-22"), "22-11-2026");
        assert_eq!(danish("2026-11-22T14:05:09+01:00"), "22-11-2026 14:05");
        assert_eq!(danish("intet"), "intet");
    }
}
