//! The shape of a LAT tool: a versioned definition of sections and fields, rendered,
//! validated and stored by one mechanism (`form.rs`). A tool's wording belongs to its
//! version — old answers are shown with the words they were given under — so the texts
//! live here, beside the fields, in both languages, rather than in the UI catalogue.

use crate::i18n::Locale;
use crate::vocab::{MeasurementKind, Scale};

/// A text in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub da: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(da: &'static str, en: &'static str) -> Text {
        Text { da, en }
    }

    pub fn get(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Da => self.da,
            Locale::En => self.en,
        }
    }
}

pub const NO_TEXT: Text = Text::new("", "");

#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub key: &'static str,
    pub label: Text,
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A whole number from `min` to `max`, with the ends named.
    Scale {
        min: i16,
        max: i16,
        low: Text,
        high: Text,
    },
    /// One of the choices; `scores` gives each choice's value when it is scored.
    Single {
        choices: &'static [Choice],
        scores: &'static [i16],
    },
    /// Any of the choices.
    Multi {
        choices: &'static [Choice],
    },
    Date,
    /// A repeated group (goals, steps): up to `max` items of the inner fields.
    Group {
        item: Text,
        max: usize,
        fields: &'static [Field],
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub label: Text,
    pub hint: Text,
    pub kind: Kind,
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Section {
    pub title: Text,
    pub intro: Text,
    pub fields: &'static [Field],
}

/// What a filled tool adds to the measurements that charts and dashboards read.
#[derive(Debug, Clone, Copy)]
pub enum Measure {
    /// The field's number as a measurement of `kind`.
    Field {
        field: &'static str,
        kind: MeasurementKind,
    },
    /// The sum of scored single-choice fields × `factor`, as the measurement of `scale`
    /// in the phase filled (`MeasurementKind::scored`).
    Score {
        fields: &'static [&'static str],
        factor: i16,
        scale: Scale,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub version: i16,
    pub sections: &'static [Section],
    pub measures: &'static [Measure],
}

#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub key: &'static str,
    pub title: Text,
    pub intro: Text,
    /// Pre and post measurement: answered at the start and at the end.
    pub phased: bool,
    /// Oldest first; the last is the one new answers use.
    pub versions: &'static [Definition],
}

impl Tool {
    pub fn current(&self) -> &'static Definition {
        self.versions
            .last()
            .expect("a tool has at least one version")
    }

    pub fn version(&self, version: i16) -> Option<&'static Definition> {
        self.versions.iter().find(|d| d.version == version)
    }
}

impl Definition {
    /// Every field, with nested group fields, for lookups by key.
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        self.sections
            .iter()
            .flat_map(|s| s.fields.iter())
            .find(|f| f.key == key)
    }
}
