//! The enums and the database agree: every state and kind column's CHECK lists exactly the
//! codes of the enum the code reads it into, and a code the enum does not know is refused
//! by the database on write and by the enum on read.

use std::collections::BTreeSet;

use korps::applications::model::{ApplicationState, Programme, RoundKind, RoundState};
use korps::loans::model::LoanState;
use korps::mail::NoticeKind;
use korps::training::model::EventKind;
use korps::vocab::{
    CitizenKind, CourseEventKind, CourseKind, CourseState, GoalsReached, MeasurementKind, Role,
    SessionKind, ToolPhase, TrainingStatus,
};
use sqlx::{ConnectOptions, Connection};

use crate::support::fresh_database;

/// One column: the enum read from it, and the codes its CHECK must list.
struct Column {
    enum_name: &'static str,
    table: &'static str,
    column: &'static str,
    codes: Vec<&'static str>,
}

fn column(
    enum_name: &'static str,
    table: &'static str,
    column: &'static str,
    codes: &[&'static str],
) -> Column {
    Column {
        enum_name,
        table,
        column,
        codes: codes.to_vec(),
    }
}

fn codes_of<T: Copy>(values: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|value| code(*value)).collect()
}

fn columns() -> Vec<Column> {
    // Columns that hold a part of an enum by design name that part here, from the rules
    // that decide it; every other column holds the whole enum.
    let loan_kinds: Vec<CourseKind> = CourseKind::ALL
        .into_iter()
        .filter(|kind| korps::loans::model::may_request_for(*kind))
        .collect();
    let member_programmes = [Programme::Mentor, Programme::ParentCoach];
    vec![
        column("CourseKind", "courses", "kind", CourseKind::CODES),
        column(
            "CourseKind",
            "loans",
            "kind",
            &codes_of(&loan_kinds, CourseKind::code),
        ),
        column("CourseState", "courses", "state", CourseState::CODES),
        column(
            "CourseState",
            "course_events",
            "from_state",
            CourseState::CODES,
        ),
        column(
            "CourseState",
            "course_events",
            "to_state",
            CourseState::CODES,
        ),
        column(
            "CourseEventKind",
            "course_events",
            "kind",
            CourseEventKind::CODES,
        ),
        column(
            "GoalsReached",
            "courses",
            "goals_reached",
            GoalsReached::CODES,
        ),
        column("SessionKind", "course_sessions", "kind", SessionKind::CODES),
        column(
            "SessionKind",
            "course_session_versions",
            "kind",
            SessionKind::CODES,
        ),
        column("CitizenKind", "citizens", "kind", CitizenKind::CODES),
        column("Role", "memberships", "roles", Role::CODES),
        column("ToolPhase", "tool_answers", "phase", ToolPhase::CODES),
        column(
            "MeasurementKind",
            "measurements",
            "kind",
            MeasurementKind::CODES,
        ),
        column(
            "TrainingStatus",
            "corps_members",
            "training_status",
            TrainingStatus::CODES,
        ),
        column(
            "Programme",
            "corps_members",
            "trained_programme",
            &codes_of(&member_programmes, Programme::code),
        ),
        column(
            "Programme",
            "training_nominations",
            "programme",
            Programme::CODES,
        ),
        column(
            "Programme",
            "training_modules",
            "programmes",
            Programme::CODES,
        ),
        column(
            "Programme",
            "corps_events",
            "programmes",
            &codes_of(&member_programmes, Programme::code),
        ),
        column("EventKind", "corps_events", "kind", EventKind::CODES),
        column("RoundKind", "application_rounds", "kind", RoundKind::CODES),
        column(
            "RoundState",
            "application_rounds",
            "state",
            RoundState::CODES,
        ),
        column(
            "ApplicationState",
            "applications",
            "state",
            ApplicationState::CODES,
        ),
        column("LoanState", "loans", "state", LoanState::CODES),
    ]
}

/// The quoted codes of the first `ARRAY[...]` in a constraint's definition, e.g.
/// `CHECK ((state = ANY (ARRAY['planned'::text, 'open'::text])))`.
fn listed_codes(definition: &str) -> Option<BTreeSet<String>> {
    let start = definition.find("ARRAY[")? + "ARRAY[".len();
    let end = start + definition[start..].find(']')?;
    Some(
        definition[start..end]
            .split(',')
            .filter_map(|item| item.trim().split('\'').nth(1))
            .map(str::to_string)
            .collect(),
    )
}

#[tokio::test]
async fn every_state_and_kind_check_lists_exactly_its_enums_codes() {
    let mut conn = fresh_database().await.connect().await.unwrap();
    let mut drift = Vec::new();
    for c in columns() {
        let name = format!("{}_{}_check", c.table, c.column);
        let definition: Option<String> = sqlx::query_scalar(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = $1::regclass AND conname = $2 AND contype = 'c'",
        )
        .bind(c.table)
        .bind(&name)
        .fetch_optional(&mut conn)
        .await
        .unwrap();
        let Some(definition) = definition else {
            drift.push(format!(
                "{}: {}.{} has no CHECK constraint {name}",
                c.enum_name, c.table, c.column
            ));
            continue;
        };
        let Some(in_database) = listed_codes(&definition) else {
            drift.push(format!(
                "{}: {name} lists no codes: {definition}",
                c.enum_name
            ));
            continue;
        };
        let in_code: BTreeSet<String> = c.codes.iter().map(|code| code.to_string()).collect();
        let only_in_code: Vec<&String> = in_code.difference(&in_database).collect();
        let only_in_database: Vec<&String> = in_database.difference(&in_code).collect();
        if !only_in_code.is_empty() || !only_in_database.is_empty() {
            drift.push(format!(
                "{}: {}.{} ({name}) differs — only in the enum: {only_in_code:?}, \
                 only in the database: {only_in_database:?}",
                c.enum_name, c.table, c.column
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "enums and CHECKs drifted:\n{}",
        drift.join("\n")
    );
}

/// The kinds of notice are checked against `notice_kinds()` (notices.kind, users.mail_off
/// and the outbox share it), not against a list in one CHECK.
#[tokio::test]
async fn notice_kinds_lists_exactly_the_notice_kind_codes() {
    let mut conn = fresh_database().await.connect().await.unwrap();
    let in_database: BTreeSet<String> =
        sqlx::query_scalar::<_, Vec<String>>("SELECT notice_kinds()")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let in_code: BTreeSet<String> = NoticeKind::CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        in_database, in_code,
        "NoticeKind and notice_kinds() drifted"
    );
    let check: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = 'notices'::regclass AND conname = 'notices_kind_check'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(check.contains("notice_kinds()"), "{check}");
}

#[tokio::test]
async fn an_unknown_code_is_refused_by_the_database_and_by_the_enum() {
    let mut conn = fresh_database().await.connect().await.unwrap();

    let mut tx = conn.begin().await.unwrap();
    let refused = sqlx::query("UPDATE courses SET state = 'paused'")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    let constraint = refused
        .as_database_error()
        .and_then(|err| err.constraint())
        .map(str::to_string);
    assert_eq!(constraint.as_deref(), Some("courses_state_check"));
    tx.rollback().await.unwrap();

    let err = sqlx::query_scalar::<_, CourseState>("SELECT 'paused'::text")
        .fetch_one(&mut conn)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CourseState") && err.contains("paused"),
        "the error names neither the enum nor the code: {err}"
    );

    let roles = sqlx::query_scalar::<_, Vec<Role>>("SELECT ARRAY['mentor', 'parent_coach']")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(roles, vec![Role::Mentor, Role::ParentCoach]);
    let state = sqlx::query_scalar::<_, CourseState>("SELECT $1::text")
        .bind(CourseState::FollowUp)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(state, CourseState::FollowUp);
}
