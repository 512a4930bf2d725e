//! The one mechanism for every tool: a definition and the posted fields in, the answers
//! (JSON, keyed by field) and the messages for the fields out; and back from answers to
//! what a form or a read-only view shows.

use serde_json::{Map, Value, json};

use super::definition::{Definition, Field, Kind, Measure};
use crate::clock;
use crate::i18n::{Locale, Messages};
use crate::vocab::{MeasurementKind, ToolPhase};
use crate::web::forms::{FieldErrors, parse_date};

/// The HTML name of a field, or of a field inside a group item: `goals-0-goal`.
pub fn name(field: &str, group: Option<(&str, usize)>) -> String {
    match group {
        Some((group, index)) => format!("{group}-{index}-{field}"),
        None => field.to_string(),
    }
}

fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Reads one (non-group) field; `None` when it was left empty.
fn read(
    field: &Field,
    pairs: &[(String, String)],
    name: &str,
    t: &'static Messages,
) -> Result<Option<Value>, &'static str> {
    let given = values(pairs, name);
    let first = given.first().copied();
    match field.kind {
        Kind::Text | Kind::LongText => {
            Ok(first.map(|v| json!(v.chars().take(5000).collect::<String>())))
        }
        Kind::Date => match first {
            None => Ok(None),
            Some(text) => parse_date(text)
                .map(|d| Some(json!(clock::format_date(d))))
                .ok_or(t.common.date_invalid),
        },
        Kind::Scale { min, max, .. } => match first {
            None => Ok(None),
            Some(text) => text
                .parse::<i16>()
                .ok()
                .filter(|v| (min..=max).contains(v))
                .map(|v| Some(json!(v)))
                .ok_or(t.tools.tool_scale_invalid),
        },
        Kind::Single { choices, .. } => match first {
            None => Ok(None),
            Some(key) => choices
                .iter()
                .find(|c| c.key == key)
                .map(|c| Some(json!(c.key)))
                .ok_or(t.tools.tool_choice_invalid),
        },
        Kind::Multi { choices } => {
            let picked: Vec<&str> = choices
                .iter()
                .filter(|c| given.contains(&c.key))
                .map(|c| c.key)
                .collect();
            Ok((!picked.is_empty()).then(|| json!(picked)))
        }
        Kind::Group { .. } => Ok(None),
    }
}

/// Parses the posted fields against `definition`.
pub fn parse(
    definition: &Definition,
    pairs: &[(String, String)],
    t: &'static Messages,
) -> (Map<String, Value>, FieldErrors) {
    let mut answers = Map::new();
    let mut errors = FieldErrors::default();
    for field in definition.sections.iter().flat_map(|s| s.fields.iter()) {
        if let Kind::Group { max, fields, .. } = field.kind {
            let mut items = Vec::new();
            for index in 0..max {
                let mut item = Map::new();
                let mut item_errors = Vec::new();
                for inner in fields {
                    let name = name(inner.key, Some((field.key, index)));
                    match read(inner, pairs, &name, t) {
                        Ok(Some(value)) => {
                            item.insert(inner.key.to_string(), value);
                        }
                        Ok(None) if inner.required => {
                            item_errors.push((name, t.tools.tool_required))
                        }
                        Ok(None) => {}
                        Err(message) => item_errors.push((name, message)),
                    }
                }
                if !item.is_empty() {
                    for (name, message) in item_errors {
                        errors.add(name, message);
                    }
                    items.push(Value::Object(item));
                }
            }
            if items.is_empty() && field.required {
                errors.add(
                    name(fields[0].key, Some((field.key, 0))),
                    t.tools.tool_group_required,
                );
            }
            if !items.is_empty() {
                answers.insert(field.key.to_string(), Value::Array(items));
            }
            continue;
        }
        match read(field, pairs, field.key, t) {
            Ok(Some(value)) => {
                answers.insert(field.key.to_string(), value);
            }
            Ok(None) if field.required => errors.add(field.key, t.tools.tool_required),
            Ok(None) => {}
            Err(message) => errors.add(field.key, message),
        }
    }
    (answers, errors)
}

/// The measurements a filled tool gives: (kind, value). `phase` is given for phased
/// tools; a scale's score is only measured with one.
pub fn measures(
    definition: &Definition,
    answers: &Map<String, Value>,
    phase: Option<ToolPhase>,
) -> Vec<(MeasurementKind, f64)> {
    let mut out = Vec::new();
    for measure in definition.measures {
        match *measure {
            Measure::Field { field, kind } => {
                if let Some(value) = answers.get(field).and_then(Value::as_f64) {
                    out.push((kind, value));
                }
            }
            Measure::Score {
                fields,
                factor,
                scale,
            } => {
                let scores: Option<Vec<i16>> = fields
                    .iter()
                    .map(|key| score_of(definition, answers, key))
                    .collect();
                if let (Some(scores), Some(phase)) = (scores, phase) {
                    let raw: i16 = scores.iter().sum();
                    out.push((
                        MeasurementKind::scored(scale, phase),
                        f64::from(raw * factor),
                    ));
                }
            }
        }
    }
    out
}

fn score_of(definition: &Definition, answers: &Map<String, Value>, key: &str) -> Option<i16> {
    let field = definition.field(key)?;
    let Kind::Single { choices, scores } = field.kind else {
        return None;
    };
    let chosen = answers.get(key)?.as_str()?;
    let index = choices.iter().position(|c| c.key == chosen)?;
    scores.get(index).copied()
}

/// One field as a form or a read-only view shows it.
pub struct FieldView {
    pub name: String,
    pub label: &'static str,
    pub hint: &'static str,
    /// "text", "longtext", "date", "scale", "single", "multi" or "group".
    pub kind: &'static str,
    pub value: String,
    pub values: Vec<String>,
    pub options: Vec<(String, &'static str)>,
    pub low: &'static str,
    pub high: &'static str,
    pub required: bool,
    pub error: Option<String>,
    pub items: Vec<ItemView>,
}

pub struct ItemView {
    pub title: String,
    pub fields: Vec<FieldView>,
}

pub struct SectionView {
    pub title: &'static str,
    pub intro: &'static str,
    pub fields: Vec<FieldView>,
}

impl FieldView {
    pub fn checked(&self, key: &str) -> bool {
        self.value == key || self.values.iter().any(|v| v == key)
    }

    /// The answer as text, for read-only views.
    pub fn shown(&self) -> String {
        match self.kind {
            "single" | "multi" => self
                .options
                .iter()
                .filter(|(key, _)| self.checked(key))
                .map(|(_, label)| *label)
                .collect::<Vec<_>>()
                .join(", "),
            _ => self.value.clone(),
        }
    }
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn view_field(
    field: &Field,
    answers: &Map<String, Value>,
    name: String,
    errors: &FieldErrors,
    locale: Locale,
    posted: Option<&[(String, String)]>,
) -> FieldView {
    let (kind, options, low, high) = match field.kind {
        Kind::Text => ("text", Vec::new(), "", ""),
        Kind::LongText => ("longtext", Vec::new(), "", ""),
        Kind::Date => ("date", Vec::new(), "", ""),
        Kind::Scale {
            min,
            max,
            low,
            high,
        } => (
            "scale",
            (min..=max).map(|v| (v.to_string(), "")).collect(),
            low.get(locale),
            high.get(locale),
        ),
        Kind::Single { choices, .. } => (
            "single",
            choices
                .iter()
                .map(|c| (c.key.to_string(), c.label.get(locale)))
                .collect(),
            "",
            "",
        ),
        Kind::Multi { choices } => (
            "multi",
            choices
                .iter()
                .map(|c| (c.key.to_string(), c.label.get(locale)))
                .collect(),
            "",
            "",
        ),
        Kind::Group { .. } => ("group", Vec::new(), "", ""),
    };
    // What the user typed wins over stored answers, so nothing is lost on an error.
    let (value, values) = match posted {
        Some(pairs) => {
            let given = values(pairs, &name)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
            (given.first().cloned().unwrap_or_default(), given)
        }
        None => match answers.get(field.key) {
            Some(Value::Array(list)) => (
                String::new(),
                list.iter().map(|v| text_of(Some(v))).collect(),
            ),
            other => (text_of(other), Vec::new()),
        },
    };
    FieldView {
        error: errors.get(&name).map(str::to_string),
        name,
        label: field.label.get(locale),
        hint: field.hint.get(locale),
        kind,
        value,
        values,
        options,
        low,
        high,
        required: field.required,
        items: Vec::new(),
    }
}

/// The sections of `definition` with `answers` (or the posted fields) filled in.
pub fn view(
    definition: &Definition,
    answers: &Map<String, Value>,
    errors: &FieldErrors,
    locale: Locale,
    posted: Option<&[(String, String)]>,
) -> Vec<SectionView> {
    definition
        .sections
        .iter()
        .map(|section| SectionView {
            title: section.title.get(locale),
            intro: section.intro.get(locale),
            fields: section
                .fields
                .iter()
                .map(|field| {
                    let mut view = view_field(
                        field,
                        answers,
                        field.key.to_string(),
                        errors,
                        locale,
                        posted,
                    );
                    if let Kind::Group { item, max, fields } = field.kind {
                        let stored = answers
                            .get(field.key)
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        let shown = if posted.is_some() {
                            max
                        } else {
                            stored.len().max(if errors.is_empty() && stored.is_empty() {
                                max
                            } else {
                                stored.len()
                            })
                        };
                        view.items = (0..shown.min(max))
                            .map(|index| {
                                let item_answers = stored
                                    .get(index)
                                    .and_then(Value::as_object)
                                    .cloned()
                                    .unwrap_or_default();
                                ItemView {
                                    title: format!("{} {}", item.get(locale), index + 1),
                                    fields: fields
                                        .iter()
                                        .map(|inner| {
                                            view_field(
                                                inner,
                                                &item_answers,
                                                name(inner.key, Some((field.key, index))),
                                                errors,
                                                locale,
                                                posted,
                                            )
                                        })
                                        .collect(),
                                }
                            })
                            .collect();
                    }
                    view
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::catalog;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn who5_scores_zero_to_hundred_and_mastery_likewise() {
        let t = Locale::Da.messages();
        let def = catalog::MEASUREMENT.current();
        let mut list = vec![];
        for i in 1..=5 {
            list.push((format!("who5_{i}"), "3".to_string()));
            list.push((format!("mastery_{i}"), "4".to_string()));
        }
        let (answers, errors) = parse(def, &list, t);
        assert!(errors.is_empty());
        let measured = measures(def, &answers, Some(ToolPhase::Pre));
        assert!(
            measured.contains(&(MeasurementKind::WellbeingPre, 60.0)),
            "15 × 4: {measured:?}"
        );
        assert!(
            measured.contains(&(MeasurementKind::MasteryPre, 100.0)),
            "20 × 5: {measured:?}"
        );
        let (all_top, _) = parse(
            def,
            &(1..=5)
                .map(|i| (format!("who5_{i}"), "5".to_string()))
                .collect::<Vec<_>>(),
            t,
        );
        assert_eq!(
            measures(def, &all_top, Some(ToolPhase::Post)).first(),
            Some(&(MeasurementKind::WellbeingPost, 100.0))
        );
    }

    #[test]
    fn missing_and_invalid_answers_get_messages() {
        let t = Locale::Da.messages();
        let def = catalog::RISK_ASSESSMENT.current();
        let (_, errors) = parse(def, &pairs(&[("scale_mentor", "11"), ("worry_1", "")]), t);
        assert_eq!(errors.get("worry_1"), Some(t.tools.tool_required));
        assert_eq!(errors.get("scale_mentor"), Some(t.tools.tool_scale_invalid));
    }

    #[test]
    fn groups_keep_filled_items_and_check_them() {
        let t = Locale::Da.messages();
        let def = catalog::DEVELOPMENT_PLAN.current();
        let (answers, errors) = parse(
            def,
            &pairs(&[
                ("goals-0-goal", "Komme i skole hver dag"),
                ("goals-0-step_1", "Stå op kl. 7"),
                ("goals-0-status_1", "started"),
                ("goals-1-step_1", "Et skridt uden mål"),
                ("progress", "6"),
            ]),
            t,
        );
        assert_eq!(
            errors.get("goals-1-goal"),
            Some(t.tools.tool_required),
            "an item with a step needs its goal"
        );
        assert_eq!(answers["goals"].as_array().unwrap().len(), 2);
        assert_eq!(
            measures(def, &answers, None),
            vec![(MeasurementKind::Progress, 6.0)]
        );
        let (_, none) = parse(def, &pairs(&[("progress", "6")]), t);
        assert_eq!(none.get("goals-0-goal"), Some(t.tools.tool_group_required));
    }

    #[test]
    fn a_view_shows_what_was_typed_after_an_error() {
        let def = catalog::RISK_ASSESSMENT.current();
        let posted = pairs(&[
            ("worry_1", "Han ser videoer fra miljøet"),
            ("scale_mentor", "4"),
        ]);
        let sections = view(
            def,
            &Map::new(),
            &FieldErrors::default(),
            Locale::Da,
            Some(&posted),
        );
        let worry = &sections[0].fields[0];
        assert_eq!(worry.value, "Han ser videoer fra miljøet");
        assert!(sections[3].fields[0].checked("4"));
    }

    #[test]
    fn every_tool_version_has_unique_field_keys() {
        for tool in catalog::COURSE_TOOLS
            .iter()
            .chain([&&catalog::COACHING_CARD])
        {
            for def in tool.versions {
                let keys: Vec<&str> = def
                    .sections
                    .iter()
                    .flat_map(|s| s.fields.iter())
                    .map(|f| f.key)
                    .collect();
                let mut unique = keys.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(keys.len(), unique.len(), "{} v{}", tool.key, def.version);
            }
        }
    }
}
