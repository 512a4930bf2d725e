//! The LAT tools: one form mechanism for every tool — versioned definitions, rendered,
//! validated and stored by the same code. Courses fill them (`courses::tool_pages`); the
//! coordinator's coaching card lives with the coaching log.

pub mod catalog;
pub mod definition;
pub mod form;
pub mod repo;

use crate::i18n::Locale;
use crate::vocab::CourseKind;
use crate::web::forms::FieldErrors;
use definition::Tool;

/// The tools offered on a course of `kind`.
pub fn for_kind(kind: CourseKind) -> Vec<&'static Tool> {
    catalog::COURSE_TOOLS
        .iter()
        .copied()
        .filter(|tool| tool.key != catalog::AGREEMENT.key || kind == CourseKind::ParentCoaching)
        .collect()
}

/// The sections of a filled tool as a read-only view shows them.
pub fn read_only(
    definition: &definition::Definition,
    filled: &repo::Filled,
    locale: Locale,
) -> Vec<form::SectionView> {
    let answers = filled.answers.as_object().cloned().unwrap_or_default();
    form::view(definition, &answers, &FieldErrors::default(), locale, None)
}
