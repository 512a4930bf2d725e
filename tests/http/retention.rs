//! Retention (issue 13, point 1): with a fixed `today`, a closed case's citizen leaves no
//! trace in any text column while the national figures stay; a dry run changes nothing; a
//! held case is kept until released; a citizen referred and never started goes after 12
//! months; audit entries go a year after their data, and only through the run; one run at
//! a time.

use korps::db::Scope;
use korps::retention::{self, Outcome, Report};
use sqlx::Row;
use time::{Date, Duration};
use uuid::Uuid;

use crate::support::TestApp;

/// What every marked value of the target citizen contains.
const MARK: &str = "XQZMARK";
const NAME: &str = "Xqzname Markersen";

/// The day the target citizen falls due: ten days from now, so the page (which looks 30
/// days ahead from the real today) shows it.
fn due_day() -> Date {
    korps::clock::today() + Duration::days(10)
}

/// Picks an Aarhus mentee of the demo data with sessions and tools, closes all their
/// courses so that they fall due on `due_day()`, and writes `MARK` into every free-text
/// value of theirs. Returns the citizen's id.
async fn mark_target(app: &TestApp) -> Uuid {
    let mut conn = app.owner_conn().await;
    let citizen: Uuid = sqlx::query_scalar(
        "SELECT y.id FROM citizens y JOIN municipalities m ON m.id = y.municipality_id
         WHERE m.name = 'Aarhus' AND y.kind = 'mentee'
           AND EXISTS (SELECT 1 FROM course_participants p JOIN course_sessions s ON s.course_id = p.course_id
                       WHERE p.citizen_id = y.id)
           AND EXISTS (SELECT 1 FROM course_participants p JOIN tool_answers t ON t.course_id = p.course_id
                       WHERE p.citizen_id = y.id)
           AND NOT EXISTS (SELECT 1 FROM course_participants p JOIN courses c ON c.id = p.course_id
                           WHERE p.citizen_id = y.id AND c.member_id IS NULL)
           AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.citizen_id = y.id)
           AND NOT EXISTS (SELECT 1 FROM course_participants p JOIN course_participants o
                             ON o.course_id = p.course_id AND o.citizen_id <> p.citizen_id
                           WHERE p.citizen_id = y.id)
         ORDER BY y.id LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .expect("a demo mentee with sessions and tools");
    // Aarhus keeps closed cases 5 years (the default).
    let closed = due_day()
        .replace_year(due_day().year() - 5)
        .expect("not 29 February");
    for sql in [
        "UPDATE citizens SET name = 'Xqzname Markersen', referred_by = 'XQZMARK referrer',
                preference_note = 'XQZMARK preference', other_efforts_note = 'XQZMARK efforts',
                legal_basis_note = 'XQZMARK legal', cultural_background = 'XQZMARK culture',
                preferred_culture = 'XQZMARK preferred culture', languages = '{XQZMARK-lang}',
                referred_on = $2 - 400
         WHERE id = $1",
        "UPDATE courses c SET state = 'closed', referred_on = $2 - 400, matched_on = $2 - 390,
                started_on = $2 - 380, ended_on = $2, closed_on = $2, goals_reached = 'partly',
                title = CASE WHEN kind = 'relatives_network' THEN 'XQZMARK network' ELSE title END,
                end_note = 'XQZMARK end note', match_override_reason = 'XQZMARK override',
                next_meeting_place = 'XQZMARK place'
         WHERE id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
        "UPDATE course_sessions SET notes = 'XQZMARK notes', participants = 'XQZMARK participants',
                next_step = 'XQZMARK next step'
         WHERE course_id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
        "INSERT INTO course_session_versions (id, municipality_id, session_id, version, held_on,
                duration_minutes, kind, participants, notes, tools, next_step, changed_by)
         SELECT gen_random_uuid(), s.municipality_id, s.id, s.version, s.held_on, s.duration_minutes,
                s.kind, 'XQZMARK old participants', 'XQZMARK old notes', s.tools, 'XQZMARK old step', s.logged_by
         FROM course_sessions s
         WHERE s.course_id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
        "UPDATE course_events SET note = 'XQZMARK event'
         WHERE course_id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
        "UPDATE tool_answers SET answers = answers || '{\"xqz\": \"XQZMARK tool\", \"xqz_group\": [{\"text\": \"XQZMARK in a group\", \"n\": 3}]}'
         WHERE course_id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
        "UPDATE loans SET needs = 'XQZMARK needs', forward_note = 'XQZMARK forward'
         WHERE course_id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
    ] {
        sqlx::query(sql)
            .bind(citizen)
            .bind(closed)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
    citizen
}

/// Moves the referral of every citizen the run on `day` would delete to a month before it,
/// so that a test of anonymisation compares figures that deleting does not touch.
async fn keep_never_started(app: &TestApp, day: Date) {
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "WITH d AS (SELECT citizen_id FROM retention_due($1, $1) WHERE action = 'delete')
         UPDATE citizens SET referred_on = $1 - 30 WHERE id IN (SELECT citizen_id FROM d)",
    )
    .bind(day)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE courses SET referred_on = $1 - 30
         WHERE id IN (SELECT p.course_id FROM course_participants p JOIN citizens y ON y.id = p.citizen_id
                      WHERE y.referred_on = $1 - 30)",
    )
    .bind(day)
    .execute(&mut conn)
    .await
    .unwrap();
}

/// Every (schema.table.column) of a text, varchar, jsonb or text[] column in the schemas
/// public and tower_sessions whose value contains `needle` (case-insensitive).
async fn columns_containing(app: &TestApp, needle: &str) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_schema::text, c.table_name::text, c.column_name::text
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema IN ('public', 'tower_sessions') AND t.table_type = 'BASE TABLE'
           AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'character')
                OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))
         ORDER BY 1, 2, 3",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(columns.len() > 50, "the scan sees the text columns");
    let mut found = Vec::new();
    for (schema, table, column) in columns {
        let sql = format!(
            "SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE \"{column}\"::text ILIKE '%' || $1 || '%'"
        );
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(needle)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if n > 0 {
            found.push(format!("{schema}.{table}.{column} ({n})"));
        }
    }
    found
}

/// Every national figure, as the national dashboard's functions return them, sorted.
async fn national_figures(app: &TestApp, this_year: i32) -> Vec<String> {
    let mut tx = app
        .tenant_tx(Scope::National {
            user_id: Uuid::nil(),
        })
        .await;
    let mut figures = Vec::new();
    let queries = [
        "SELECT row(f.*)::text FROM national_corps() f",
        "SELECT row(f.*)::text FROM national_courses('', '1900-01-01', '2200-01-01') f",
        "SELECT row(f.*)::text FROM national_courses('mentor', '1900-01-01', '2200-01-01') f",
        "SELECT row(f.*)::text FROM national_change('', '1900-01-01', '2200-01-01') f",
        "SELECT row(f.*)::text FROM national_completeness('', '1900-01-01') f",
        "SELECT row(f.*)::text FROM national_progress('', '1900-01-01', '2200-01-01') f",
    ];
    for sql in queries {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(tx.conn()).await.unwrap();
        figures.extend(rows.into_iter().map(|r| format!("{sql}: {r}")));
    }
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT row(f.*)::text FROM national_background('', '1900-01-01', '2200-01-01', $1::smallint) f",
    )
    .bind(this_year as i16)
    .fetch_all(tx.conn())
    .await
    .unwrap();
    figures.extend(rows.into_iter().map(|r| format!("background: {r}")));
    figures.sort();
    figures
}

/// Every table's row count and a hash of its rows.
async fn snapshot(app: &TestApp) -> Vec<(String, i64, String)> {
    let mut conn = app.owner_conn().await;
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables
         WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE'
         ORDER BY 1, 2",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut snapshot = Vec::new();
    for (schema, table) in tables {
        let sql = format!(
            "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')
             FROM \"{schema}\".\"{table}\" t"
        );
        let row = sqlx::query(&sql).fetch_one(&mut conn).await.unwrap();
        snapshot.push((format!("{schema}.{table}"), row.get(0), row.get(1)));
    }
    snapshot
}

async fn run(app: &TestApp, day: Date, dry_run: bool) -> Report {
    match retention::run(&app.pool, day, dry_run).await.unwrap() {
        Outcome::Ran(report) => report,
        other => panic!("the run did not run: {other:?}"),
    }
}

async fn citizen_name(app: &TestApp, id: Uuid) -> Option<String> {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar("SELECT name FROM citizens WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn anonymisation_leaves_no_trace_of_the_citizen_and_the_national_figures_stay() {
    let app = TestApp::spawn().await;
    let citizen = mark_target(&app).await;
    let day = due_day();
    keep_never_started(&app, day).await;

    // The day before, nothing of it goes.
    run(&app, day - Duration::days(1), false).await;
    assert_eq!(citizen_name(&app, citizen).await.as_deref(), Some(NAME));

    let marked = columns_containing(&app, MARK).await;
    assert!(marked.len() >= 10, "the marks are in place: {marked:?}");
    assert!(!columns_containing(&app, "Xqzname").await.is_empty());
    let before = national_figures(&app, day.year()).await;
    assert!(before.len() > 10, "figures to compare: {before:?}");

    let report = run(&app, day, false).await;
    assert!(report.total("citizens_anonymised") >= 1, "{report:?}");
    assert!(report.total("courses_anonymised") >= 1, "{report:?}");

    assert_eq!(columns_containing(&app, MARK).await, Vec::<String>::new());
    assert_eq!(
        columns_containing(&app, "Xqzname").await,
        Vec::<String>::new()
    );
    assert_eq!(national_figures(&app, day.year()).await, before);

    // What stays: the citizen row, marked anonymised; kind and state of the courses.
    let mut conn = app.owner_conn().await;
    let (name, birth_year, anonymised_on): (String, Option<i16>, Option<Date>) =
        sqlx::query_as("SELECT name, birth_year, anonymised_on FROM citizens WHERE id = $1")
            .bind(citizen)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), birth_year, anonymised_on),
        ("Anonymiseret", None, Some(day))
    );
    let consents: i64 = sqlx::query_scalar("SELECT count(*) FROM consents WHERE citizen_id = $1")
        .bind(citizen)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(consents, 0, "the consent records are removed");

    // The run wrote what it did to Aarhus' log: counts, no names.
    let details: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_log a JOIN municipalities m ON m.id = a.municipality_id
         WHERE m.name = 'Aarhus' AND a.action = 'retention_run' ORDER BY a.at DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        details["citizens_anonymised"].as_i64().unwrap() >= 1,
        "{details}"
    );

    // Done once: a second run finds nothing more of it.
    let again = run(&app, day, false).await;
    assert_eq!(again.total("citizens_anonymised"), 0, "{again:?}");
}

#[tokio::test]
async fn a_dry_run_changes_nothing() {
    let app = TestApp::spawn().await;
    mark_target(&app).await;
    let day = due_day();
    let before = snapshot(&app).await;
    let report = run(&app, day, true).await;
    assert!(report.total("citizens_anonymised") >= 1, "{report:?}");
    assert!(report.total("audit_entries_deleted") == 0, "{report:?}");
    assert_eq!(snapshot(&app).await, before);
    // The day was not remembered either: the daily run still runs.
    assert!(matches!(
        retention::run_daily(&app.pool, day).await.unwrap(),
        Outcome::Ran(_)
    ));
}

#[tokio::test]
async fn a_held_case_is_kept_until_the_hold_is_released() {
    let app = TestApp::spawn().await;
    let citizen = mark_target(&app).await;
    let day = due_day();
    let coordinator = app.login("koordinator.aarhus@example.org").await;

    // The page shows what falls due within 30 days.
    let page = coordinator.get("/sletning").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(NAME), "the due case is listed");

    // A reason is required; the choice is kept.
    let id = citizen.to_string();
    let refused = coordinator
        .post("/sletning/hold", &[("citizen", &id), ("reason", "  ")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.field_error("reason").contains("Skriv, hvorfor"));
    assert_eq!(
        refused
            .attr("#citizen option[selected]", "value")
            .as_deref(),
        Some(id.as_str())
    );

    // The form kept its one-time key; sent twice (a double click), one hold.
    let key = refused.attr("input[name=form_key]", "value").unwrap();
    let hold_form = [
        ("citizen", id.as_str()),
        ("reason", "Verserende retssag"),
        ("form_key", key.as_str()),
    ];
    let held = coordinator.post("/sletning/hold", &hold_form).await;
    assert_eq!(held.status, 303, "{}", held.text);
    let twice = coordinator.post("/sletning/hold", &hold_form).await;
    assert_eq!(twice.status, 303);
    assert_eq!(twice.location(), held.location());
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT count(*) FROM audit_log WHERE subject_id = '{citizen}' AND action = 'retention_hold_placed'"
        ))
        .await,
        1,
        "one hold placed"
    );
    let page = coordinator.get("/sletning").await;
    assert!(page.text.contains("Verserende retssag"));

    run(&app, day, false).await;
    assert_eq!(citizen_name(&app, citizen).await.as_deref(), Some(NAME));
    assert!(!columns_containing(&app, MARK).await.is_empty());

    // Another municipality cannot see or touch the hold, nor hold Aarhus' citizen.
    let hold: Uuid = app
        .scalar(&format!(
            "SELECT id FROM retention_holds WHERE citizen_id = '{citizen}'"
        ))
        .await;
    let odense = app.login("koordinator.odense@example.org").await;
    for path in [
        format!("/sletning/hold/{hold}/forny"),
        format!("/sletning/hold/{hold}/ophaev"),
    ] {
        assert_eq!(odense.post(&path, &[]).await.status, 404, "{path}");
    }
    let foreign = odense
        .post("/sletning/hold", &[("citizen", &id), ("reason", "Forsøg")])
        .await;
    assert_eq!(foreign.status, 404);
    assert!(!odense.get("/sletning").await.text.contains(NAME));
    // Mentors do not see the page.
    let mentor = app.login("mentor.aarhus@example.org").await;
    assert_ne!(mentor.get("/sletning").await.status, 200);

    // Renewed, still kept; released, it goes.
    let renewed = coordinator
        .post(&format!("/sletning/hold/{hold}/forny"), &[])
        .await;
    assert_eq!(renewed.status, 303);
    let released = coordinator
        .post(&format!("/sletning/hold/{hold}/ophaev"), &[])
        .await;
    assert_eq!(released.status, 303);
    let actions: Vec<String> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE subject_id = $1 AND action LIKE 'retention_hold_%' ORDER BY at",
        )
        .bind(citizen)
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };
    assert_eq!(
        actions,
        [
            "retention_hold_placed",
            "retention_hold_renewed",
            "retention_hold_released"
        ]
    );
    run(&app, day, false).await;
    assert_eq!(
        citizen_name(&app, citizen).await.as_deref(),
        Some("Anonymiseret")
    );
}

#[tokio::test]
async fn a_hold_lapses_when_not_renewed_within_a_year() {
    let app = TestApp::spawn().await;
    let citizen = mark_target(&app).await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let held = coordinator
        .post(
            "/sletning/hold",
            &[
                ("citizen", &citizen.to_string()),
                ("reason", "Aktindsigt"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(held.status, 303);
    let review_by: Date = app
        .scalar(&format!(
            "SELECT review_by FROM retention_holds WHERE citizen_id = '{citizen}'"
        ))
        .await;
    run(&app, review_by, false).await;
    assert_eq!(citizen_name(&app, citizen).await.as_deref(), Some(NAME));
    run(&app, review_by + Duration::days(1), false).await;
    assert_eq!(
        citizen_name(&app, citizen).await.as_deref(),
        Some("Anonymiseret")
    );
}

#[tokio::test]
async fn a_citizen_referred_and_never_started_is_deleted_after_12_months() {
    let app = TestApp::spawn().await;
    let referred = Date::from_calendar_date(2031, time::Month::March, 15).unwrap();
    let mut conn = app.owner_conn().await;
    let municipality = app.municipality_id("Odense").await;
    let citizen = Uuid::now_v7();
    let course = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO citizens (id, municipality_id, kind, name, referred_on, referral_source, legal_basis, preference_note)
         VALUES ($1, $2, 'mentee', 'Xqzname Aldrigstartet', $3, 'school', 'social_services_act', 'XQZMARK waiting')",
    )
    .bind(citizen)
    .bind(municipality)
    .bind(referred)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO courses (id, municipality_id, kind, referred_on) VALUES ($1, $2, 'mentor', $3)",
    )
    .bind(course)
    .bind(municipality)
    .bind(referred)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on) VALUES ($1, $2, $3, $4)",
    )
    .bind(course)
    .bind(citizen)
    .bind(municipality)
    .bind(referred)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO audit_log (id, municipality_id, action, subject_type, subject_id, citizen_id)
         VALUES (gen_random_uuid(), $1, 'citizen_read', 'citizen', $2, $2)",
    )
    .bind(municipality)
    .bind(citizen)
    .execute(&mut conn)
    .await
    .unwrap();

    let day_before = Date::from_calendar_date(2032, time::Month::March, 14).unwrap();
    run(&app, day_before, false).await;
    assert!(
        citizen_name(&app, citizen).await.is_some(),
        "kept until 12 months"
    );

    let twelve_months = Date::from_calendar_date(2032, time::Month::March, 15).unwrap();
    let report = run(&app, twelve_months, false).await;
    assert!(report.total("citizens_deleted") >= 1, "{report:?}");
    assert!(
        citizen_name(&app, citizen).await.is_none(),
        "deleted at 12 months"
    );
    let course_left: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM courses WHERE id = '{course}'"
        ))
        .await;
    assert_eq!(course_left, 0, "the course only they took part in goes too");
    assert_eq!(
        columns_containing(&app, "Xqzname").await,
        Vec::<String>::new()
    );

    // The audit entry about them stays a year, then goes.
    let entries = format!("SELECT count(*) FROM audit_log WHERE citizen_id = '{citizen}'");
    run(&app, twelve_months + Duration::days(364), false).await;
    assert_eq!(app.scalar::<i64>(&entries).await, 1);
    run(&app, twelve_months + Duration::days(366), false).await;
    assert_eq!(app.scalar::<i64>(&entries).await, 0);
}

#[tokio::test]
async fn audit_entries_go_a_year_after_their_data_and_only_through_the_run() {
    let app = TestApp::spawn().await;
    let citizen = mark_target(&app).await;
    let day = due_day();
    // Reads of the citizen's data are in the log (the coordinator's page names it).
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/sletning").await.status, 200);
    let about = format!(
        "SELECT count(*) FROM audit_log WHERE citizen_id = '{citizen}'
            OR (subject_type = 'citizen' AND subject_id = '{citizen}')"
    );
    assert!(app.scalar::<i64>(&about).await >= 1);

    run(&app, day, false).await;
    assert!(app.scalar::<i64>(&about).await >= 1, "kept the first year");
    run(&app, day + Duration::days(364), false).await;
    assert!(app.scalar::<i64>(&about).await >= 1, "kept the first year");
    let report = run(&app, day + Duration::days(366), false).await;
    assert_eq!(app.scalar::<i64>(&about).await, 0, "gone after a year");
    assert!(report.total("audit_entries_deleted") >= 1);

    // Entries about no citizen stay the retention period plus a year.
    let logins = "SELECT count(*) FROM audit_log WHERE action = 'login_succeeded'";
    assert!(app.scalar::<i64>(logins).await >= 1);
    let now = korps::clock::today();
    run(
        &app,
        now.replace_year(now.year() + 6).unwrap() - Duration::days(2),
        false,
    )
    .await;
    assert!(app.scalar::<i64>(logins).await >= 1, "kept 5 + 1 years");
    run(
        &app,
        now.replace_year(now.year() + 6).unwrap() + Duration::days(2),
        false,
    )
    .await;
    assert_eq!(app.scalar::<i64>(logins).await, 0, "gone after 5 + 1 years");

    // Nobody else deletes from the log: not the runtime role, not the owner with the flag.
    let mut tx = app.tenant_tx(Scope::Job).await;
    let refused = sqlx::query("DELETE FROM audit_log")
        .execute(tx.conn())
        .await;
    assert!(refused.is_err(), "korps_app cannot delete audit entries");
    drop(tx);
    let mut conn = app.owner_conn().await;
    let refused =
        sqlx::raw_sql("SELECT set_config('korps.retention', 'on', false); DELETE FROM audit_log")
            .execute(&mut conn)
            .await;
    assert!(
        refused.unwrap_err().to_string().contains("append-only"),
        "the trigger refuses"
    );
    let refused = sqlx::query("UPDATE audit_log SET purpose = 'x'")
        .execute(&mut conn)
        .await;
    assert!(refused.is_err());
    let refused = sqlx::query("TRUNCATE audit_log").execute(&mut conn).await;
    assert!(refused.is_err());

    // And the run itself only as the job.
    let mut tx = app
        .tenant_tx(Scope::National {
            user_id: Uuid::nil(),
        })
        .await;
    let refused = sqlx::query("SELECT * FROM retention_run(current_date, '{}')")
        .execute(tx.conn())
        .await;
    assert!(refused.is_err(), "only the job runs retention");
}

#[tokio::test]
async fn accounts_deactivated_longer_than_the_period_are_anonymised() {
    let app = TestApp::spawn().await;
    let user = app.user_id("mentor.odense@example.org").await;
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE users SET active = false WHERE id = $1")
        .bind(user)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE corps_members SET notes = 'XQZMARK member note' WHERE user_id = $1")
        .bind(user)
        .execute(&mut conn)
        .await
        .unwrap();
    let deactivated: Date = app
        .scalar(&format!(
            "SELECT deactivated_on FROM users WHERE id = '{user}'"
        ))
        .await;
    let period_end = deactivated.replace_year(deactivated.year() + 5).unwrap();
    run(&app, period_end - Duration::days(1), false).await;
    assert!(
        !columns_containing(&app, "mentor.odense@example.org")
            .await
            .is_empty()
    );
    let report = run(&app, period_end, false).await;
    assert_eq!(report.total("accounts_anonymised"), 1, "{report:?}");
    assert_eq!(
        columns_containing(&app, "mentor.odense@example.org").await,
        Vec::<String>::new()
    );
    assert_eq!(columns_containing(&app, MARK).await, Vec::<String>::new());
    let factors: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM second_factors WHERE user_id = '{user}'"
        ))
        .await;
    assert_eq!(factors, 0);
}

#[tokio::test]
async fn one_run_at_a_time_and_the_daily_run_once_a_day() {
    let app = TestApp::spawn().await;
    let citizen = mark_target(&app).await;
    let day = due_day();
    let mut holder = app.owner_conn().await;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(retention::repo::LOCK_KEY)
        .execute(&mut holder)
        .await
        .unwrap();
    assert_eq!(
        retention::run(&app.pool, day, false).await.unwrap(),
        Outcome::Locked
    );
    assert_eq!(
        retention::run_daily(&app.pool, day).await.unwrap(),
        Outcome::Locked
    );
    assert_eq!(citizen_name(&app, citizen).await.as_deref(), Some(NAME));
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(retention::repo::LOCK_KEY)
        .execute(&mut holder)
        .await
        .unwrap();

    // Two at once: one does the work, the other waits for nothing.
    let (a, b) = tokio::join!(
        retention::run_daily(&app.pool, day),
        retention::run_daily(&app.pool, day)
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    let ran: Vec<&Report> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Ran(report) => Some(report),
            _ => None,
        })
        .collect();
    assert_eq!(ran.len(), 1, "{outcomes:?}");
    assert!(ran[0].total("citizens_anonymised") >= 1);
    assert_eq!(
        retention::run_daily(&app.pool, day).await.unwrap(),
        Outcome::AlreadyRan
    );
}
