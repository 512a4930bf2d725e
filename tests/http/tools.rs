//! The LAT tools: filled through the one form mechanism, stored with their version, and
//! shown as measurements on the course page.

use uuid::Uuid;

use crate::support::TestApp;

async fn own_active_course(app: &TestApp, email: &str) -> Uuid {
    app.scalar(&format!(
        "SELECT c.id FROM courses c JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
         WHERE u.email = '{email}' AND c.state = 'active' AND c.kind = 'mentor' ORDER BY c.started_on LIMIT 1"
    ))
    .await
}

#[tokio::test]
async fn a_progress_rating_lands_on_the_chart_and_clears_the_due_item() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let course = own_active_course(&app, "mentor.aarhus@example.org").await;
    // No rating for three months: the rating is overdue.
    let mut conn = app.owner_conn().await;
    sqlx::query("DELETE FROM measurements WHERE course_id = $1 AND kind = 'progress'")
        .bind(course)
        .execute(&mut conn)
        .await
        .unwrap();
    let citizen: String =
        app.scalar(&format!("SELECT z.name FROM course_participants p JOIN citizens z ON z.id = p.citizen_id WHERE p.course_id = '{course}'")).await;
    let due = mentor.get("/").await.texts(".korps-due-list li");
    assert!(
        due.iter()
            .any(|i| i.contains(&citizen) && i.contains("Progressionsmåling")),
        "{due:?}"
    );

    let form = mentor
        .get(&format!("/forloeb/{course}/redskaber/development_plan"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.has("input[name=progress][value='10']"), "a 1–10 scale");
    let today = form.attr("#filled_on", "value").unwrap();
    let empty = mentor
        .post(
            &format!("/forloeb/{course}/redskaber/development_plan"),
            &[("filled_on", &today), ("goals-0-step_1", "Stå op kl. 7")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.field_error("goals-0-goal"), "Udfyld feltet.");
    assert_eq!(empty.field_error("progress"), "Udfyld feltet.");
    assert_eq!(
        empty.attr("#goals-0-step_1", "value").as_deref(),
        Some("Stå op kl. 7"),
        "what was typed is kept"
    );

    let saved = mentor
        .post(
            &format!("/forloeb/{course}/redskaber/development_plan"),
            &[
                ("filled_on", &today),
                ("goals-0-goal", "Komme i skole hver dag"),
                ("goals-0-step_1", "Stå op kl. 7"),
                ("goals-0-status_1", "started"),
                ("progress", "7"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    assert!(
        page.has("svg.korps-chart[role=img]"),
        "the rating is charted"
    );
    let rows = page.texts("#progression ~ .row table tbody tr");
    assert!(
        rows.iter().any(|r| r.ends_with(" 7")),
        "the same number in the table: {rows:?}"
    );
    let due = mentor.get("/").await.texts(".korps-due-list li");
    assert!(
        !due.iter()
            .any(|i| i.contains(&citizen) && i.contains("Progressionsmåling")),
        "{due:?}"
    );
    let stored: (String, i16) = {
        sqlx::query_as("SELECT tool, version FROM tool_answers WHERE course_id = $1 ORDER BY created_at DESC LIMIT 1")
            .bind(course)
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(
        stored,
        ("development_plan".to_string(), 1),
        "answers keep their definition version"
    );
}

#[tokio::test]
async fn who5_pre_and_post_are_scored_and_compared() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let course = own_active_course(&app, "mentor.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    sqlx::query("DELETE FROM measurements WHERE course_id = $1 AND kind LIKE 'wellbeing%' OR course_id = $1 AND kind LIKE 'mastery%'")
        .bind(course)
        .execute(&mut conn)
        .await
        .unwrap();
    let form = mentor
        .get(&format!(
            "/forloeb/{course}/redskaber/measurement?phase=pre"
        ))
        .await;
    let today = form.attr("#filled_on", "value").unwrap();
    let answer = |who5: &'static str, mastery: &'static str| {
        let mut fields = vec![("filled_on", today.clone())];
        for i in 1..=5 {
            fields.push((
                ["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"][i - 1],
                who5.to_string(),
            ));
            fields.push((
                [
                    "mastery_1",
                    "mastery_2",
                    "mastery_3",
                    "mastery_4",
                    "mastery_5",
                ][i - 1],
                mastery.to_string(),
            ));
        }
        fields
    };
    let no_phase = answer("2", "2");
    let no_phase: Vec<(&str, &str)> = no_phase.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = mentor
        .post(
            &format!("/forloeb/{course}/redskaber/measurement"),
            &no_phase,
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("phase"),
        "Vælg, om det er før- eller eftermålingen."
    );

    for (phase, who5, mastery) in [("pre", "2", "2"), ("post", "4", "3")] {
        let mut fields = answer(who5, mastery);
        fields.push(("phase", phase.to_string()));
        fields.push(("form_key", crate::support::form_key()));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            mentor
                .post(&format!("/forloeb/{course}/redskaber/measurement"), &fields)
                .await
                .status,
            303
        );
    }
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    let table = page.texts("caption ~ tbody tr");
    assert!(
        table
            .iter()
            .any(|r| r.starts_with("Trivsel (WHO-5) 40 80 +40 Betydelig ændring")),
        "2·5·4 = 40 → 4·5·4 = 80: {table:?}"
    );
    assert!(
        table
            .iter()
            .any(|r| r.starts_with("Livsmestring 50 75 +25")),
        "2·5·5 = 50 → 3·5·5 = 75: {table:?}"
    );
}

#[tokio::test]
async fn a_filled_tool_is_shown_with_its_own_wording_and_only_to_those_who_may() {
    let app = TestApp::spawn().await;
    let course = own_active_course(&app, "mentor.aarhus@example.org").await;
    let answer: Uuid = app.scalar(&format!("SELECT id FROM tool_answers WHERE course_id = '{course}' AND tool = 'risk_assessment' LIMIT 1")).await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let shown = mentor
        .get(&format!("/forloeb/{course}/redskaber/svar/{answer}"))
        .await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.text_of("h1"), "Balanceret risikovurdering");
    assert!(shown.text.contains("Hvad er vi bekymrede for?"));
    assert!(shown.text.contains("version 1"));
    let coach = app.login("coach.aarhus@example.org").await;
    assert_eq!(
        coach
            .get(&format!("/forloeb/{course}/redskaber/svar/{answer}"))
            .await
            .status,
        404,
        "another member's course"
    );
    let odense = app.login("koordinator.odense@example.org").await;
    assert_eq!(
        odense
            .get(&format!("/forloeb/{course}/redskaber/svar/{answer}"))
            .await
            .status,
        404
    );
    assert_eq!(
        odense
            .get(&format!("/forloeb/{course}/redskaber/development_plan"))
            .await
            .status,
        404
    );
    assert_eq!(
        mentor
            .get(&format!("/forloeb/{course}/redskaber/agreement"))
            .await
            .status,
        404,
        "the agreement is for parent coaching"
    );
}

#[tokio::test]
async fn the_coordinator_exports_courses_sessions_and_measurements_for_excel() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let index = coordinator.get("/eksport").await;
    assert_eq!(index.status, 200);
    let links: Vec<String> = {
        let selector = scraper::Selector::parse("a[download]").unwrap();
        index
            .html()
            .select(&selector)
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    };
    assert_eq!(
        links,
        vec![
            "/eksport/forloeb.csv",
            "/eksport/sessioner.csv",
            "/eksport/maalinger.csv"
        ]
    );
    let aarhus_courses: i64 =
        app.scalar("SELECT count(*) FROM courses c JOIN municipalities m ON m.id = c.municipality_id WHERE m.name = 'Aarhus'").await;
    for (link, first_line) in [
        (
            "/eksport/forloeb.csv",
            "forloeb_id;type;status;mentor_forældrecoach;visiteret;matchet;startet;afsluttet;lukket;mål_nået;deltagere;fødselsår;køn;sessioner",
        ),
        (
            "/eksport/sessioner.csv",
            "forloeb_id;dato;minutter;type;redskaber",
        ),
        ("/eksport/maalinger.csv", "forloeb_id;måling;værdi;dato"),
    ] {
        let file = coordinator.get(link).await;
        assert_eq!(file.status, 200);
        assert!(file.header("content-type").starts_with("text/csv"));
        assert!(file.text.starts_with('\u{feff}'), "BOM for Excel");
        let lines: Vec<&str> = file.text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], first_line);
        assert!(lines.len() > 1, "{link} has rows");
        if link.ends_with("forloeb.csv") {
            assert_eq!(
                lines.len() as i64 - 1,
                aarhus_courses,
                "one row per course of the municipality"
            );
        }
        assert!(!file.text.contains("Yusuf"), "no citizen names");
        assert!(!file.text.contains("Talte om ugen"), "no session notes");
    }
    let exported: i64 = app
        .scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'data_exported' AND citizen_id IS NULL",
        )
        .await;
    assert_eq!(exported, 3, "every export is logged");
    // The files are about the courses' citizens (by id, birth year, gender): each export
    // is a read of every citizen of every course in it.
    let citizens: i64 = app
        .scalar(
            "SELECT count(DISTINCT p.citizen_id) FROM course_participants p JOIN courses c ON c.id = p.course_id
             JOIN municipalities m ON m.id = c.municipality_id WHERE m.name = 'Aarhus'",
        )
        .await;
    let read: i64 = app
        .scalar(
            "SELECT count(DISTINCT citizen_id) FROM audit_log
             WHERE action = 'data_exported' AND details->>'file' = 'forloeb.csv'",
        )
        .await;
    assert_eq!(
        read, citizens,
        "every citizen in the courses file is logged as read"
    );
    let sessions: i64 = app
        .scalar(
            "SELECT count(DISTINCT p.citizen_id) FROM course_participants p JOIN courses c ON c.id = p.course_id
             JOIN municipalities m ON m.id = c.municipality_id AND m.name = 'Aarhus'
             WHERE EXISTS (SELECT 1 FROM course_sessions s WHERE s.course_id = c.id)",
        )
        .await;
    let read: i64 = app
        .scalar(
            "SELECT count(DISTINCT citizen_id) FROM audit_log
             WHERE action = 'data_exported' AND details->>'file' = 'sessioner.csv'",
        )
        .await;
    assert_eq!(
        read, sessions,
        "and each citizen whose sessions were exported"
    );
    assert_eq!(coordinator.get("/eksport/andet.csv").await.status, 404);
    let mentor = app.login("mentor.aarhus@example.org").await;
    assert_eq!(mentor.get("/eksport/forloeb.csv").await.status, 403);
}

#[tokio::test]
async fn the_coordinator_overview_shows_completeness_courses_and_change() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let page = coordinator.get("/overblik").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("table tbody tr");
    let total = rows
        .iter()
        .find(|r| r.starts_with("Kommunen i alt"))
        .expect("a total row");
    let active: i64 = app
        .scalar("SELECT count(*) FROM courses c JOIN municipalities m ON m.id = c.municipality_id WHERE m.name = 'Aarhus' AND c.state = 'active'")
        .await;
    assert!(
        total.starts_with(&format!("Kommunen i alt {active} ")),
        "{total} has {active} active courses"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("Ahmad Rahimi ")),
        "completeness per member: {rows:?}"
    );
    let mentor_courses: i64 = app
        .scalar("SELECT count(*) FROM courses c JOIN municipalities m ON m.id = c.municipality_id WHERE m.name = 'Aarhus' AND c.kind = 'mentor' AND coalesce(c.closed_on, 'infinity'::date) >= current_date - 365")
        .await;
    let by_kind = rows
        .iter()
        .find(|r| r.starts_with("Mentorforløb "))
        .expect("a mentor course row");
    assert!(
        by_kind.ends_with(&format!(" {mentor_courses}")),
        "{by_kind} sums to {mentor_courses}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("Trivsel (WHO-5) ")),
        "the average change in wellbeing: {rows:?}"
    );
    let bad = coordinator.get("/overblik?from=32-13-2026").await;
    assert_eq!(
        bad.field_error("from"),
        "Skriv datoen som dd-mm-åååå, fx 01-11-2026."
    );
    let mentor = app.login("mentor.aarhus@example.org").await;
    assert_eq!(mentor.get("/overblik").await.status, 403);
}

/// The balanced risk assessment: worries, what works, what must happen, and each party's
/// 0–10 scale kept side by side on the course page.
#[tokio::test]
async fn a_risk_assessment_keeps_each_partys_scale_side_by_side() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let course = own_active_course(&app, "mentor.aarhus@example.org").await;
    let path = format!("/forloeb/{course}/redskaber/risk_assessment");
    let form = mentor.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(
        form.has("input[name=scale_parents][value='0']"),
        "a 0–10 scale per party"
    );
    let today = form.attr("#filled_on", "value").unwrap();
    let missing = mentor
        .post(&path, &[("filled_on", &today), ("scale_citizen", "6")])
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.field_error("worry_1"), "Udfyld feltet.");
    assert_eq!(missing.field_error("scale_mentor"), "Udfyld feltet.");
    assert_eq!(
        missing.attr("#scale_citizen-6", "checked").as_deref(),
        Some(""),
        "the chosen scale step is kept"
    );
    let saved = mentor
        .post(
            &path,
            &[
                ("filled_on", &today),
                ("worry_1", "Vi er bekymrede for, at han isolerer sig."),
                ("working_well", "Han kommer til aftalerne."),
                ("next_steps", "Han skal have en praktikplads."),
                ("scale_mentor", "4"),
                ("scale_citizen", "6"),
                ("scale_parents", "2"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    let rows = page.texts("table tbody tr");
    let date = today.clone();
    assert!(
        rows.iter().any(|r| r == &format!("{date} 4 6 2")),
        "mentor, citizen and parents side by side: {rows:?}"
    );
    assert!(page.has("svg[aria-labelledby^='risk-chart']"));
}

/// The agreement form belongs to parent coaching: the coach fills it in; a mentor course
/// has no such form.
#[tokio::test]
async fn the_agreement_form_is_for_parent_coaching_only() {
    let app = TestApp::spawn().await;
    let coach = app.login("coach.aarhus@example.org").await;
    let course: Uuid = app
        .scalar(
            "SELECT c.id FROM courses c JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'coach.aarhus@example.org' AND c.state = 'active' AND c.kind = 'parent_coaching' LIMIT 1",
        )
        .await;
    let path = format!("/forloeb/{course}/redskaber/agreement");
    let form = coach.get(&path).await;
    assert_eq!(form.status, 200);
    let today = form.attr("#filled_on", "value").unwrap();
    let saved = coach
        .post(
            &path,
            &[
                ("filled_on", &today),
                ("goals-0-goal", "Færre konflikter ved aftensmaden"),
                ("goals-0-success", "Tre rolige aftener om ugen"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let answer: Uuid = app
        .scalar(&format!(
            "SELECT id FROM tool_answers WHERE course_id = '{course}' AND tool = 'agreement' ORDER BY created_at DESC LIMIT 1"
        ))
        .await;
    let shown = coach
        .get(&format!("/forloeb/{course}/redskaber/svar/{answer}"))
        .await;
    assert_eq!(shown.text_of("h1"), "Aftaleskema");
    assert!(shown.text.contains("Tre rolige aftener om ugen"));

    let mentor = app.login("mentor.aarhus@example.org").await;
    let mentor_course = own_active_course(&app, "mentor.aarhus@example.org").await;
    assert_eq!(
        mentor
            .get(&format!("/forloeb/{mentor_course}/redskaber/agreement"))
            .await
            .status,
        404,
        "no agreement form on a mentor course"
    );
}

/// A mentor who double-clicks "Gem" on a tool saves one answer and one rating: the form's
/// one-time key is claimed by the first, and the second gets the first one's redirect.
#[tokio::test]
async fn a_tool_sent_twice_saves_one_answer_and_one_rating() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let course = own_active_course(&app, "mentor.aarhus@example.org").await;
    let path = format!("/forloeb/{course}/redskaber/development_plan");
    let form = mentor.get(&path).await;
    let today = form.attr("#filled_on", "value").unwrap();
    let key = form
        .attr("input[name=form_key]", "value")
        .expect("a one-time key");
    let fields = [
        ("filled_on", today.as_str()),
        ("goals-0-goal", "Komme i skole hver dag"),
        ("progress", "6"),
        ("form_key", key.as_str()),
    ];
    let answers = format!("SELECT count(*) FROM tool_answers WHERE course_id = '{course}'");
    let ratings = format!(
        "SELECT count(*) FROM measurements WHERE course_id = '{course}' AND kind = 'progress'"
    );
    let (answers_before, ratings_before): (i64, i64) =
        (app.scalar(&answers).await, app.scalar(&ratings).await);
    let (first, second) = tokio::join!(mentor.post(&path, &fields), mentor.post(&path, &fields));
    assert_eq!([first.status, second.status], [303, 303]);
    assert_eq!(first.location(), second.location());
    assert_eq!(app.scalar::<i64>(&answers).await, answers_before + 1);
    assert_eq!(app.scalar::<i64>(&ratings).await, ratings_before + 1);

    // A refused form keeps its key, so the corrected one is still saved once.
    let refused = mentor
        .post(&path, &[("filled_on", today.as_str()), ("form_key", "x")])
        .await;
    assert_eq!(refused.status, 422);
    let kept = mentor
        .post(
            &path,
            &[
                ("filled_on", today.as_str()),
                ("goals-0-goal", ""),
                ("form_key", key.as_str()),
            ],
        )
        .await;
    assert_eq!(kept.status, 422);
    assert_eq!(
        kept.attr("input[name=form_key]", "value").as_deref(),
        Some(key.as_str())
    );
}
