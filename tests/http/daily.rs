//! The daily work: citizens, courses, matching, sessions, due items, coaching — as
//! coordinators, mentors and parent coaches do it, over HTTP.

use uuid::Uuid;

use crate::support::{Client, Page, TestApp};

/// Registers a mentee through the form and returns the citizen's id.
async fn register_mentee(client: &Client, name: &str) -> Uuid {
    register(client, "mentee", name).await
}

/// Registers a citizen of `kind` through the form and returns the citizen's id.
async fn register(client: &Client, kind: &str, name: &str) -> Uuid {
    let form = client.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = client
        .post(
            "/borgere",
            &[
                ("kind", kind),
                ("name", name),
                ("birth_year", "2008"),
                ("gender", "male"),
                ("languages", "da"),
                ("languages", "ar"),
                ("referred_on", "01-11-2026"),
                ("referral_source", "infohouse"),
                ("criteria", "signs_of_concern"),
                ("legal_basis", "social_services_act"),
                ("preferred_gender", "male"),
                ("needed_experience", "extremism"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    created
        .location()
        .trim_start_matches("/borgere/")
        .parse()
        .unwrap()
}

/// Opens a mentor course for the citizen; returns the course id.
async fn open_course(client: &Client, citizen: Uuid) -> Uuid {
    let page = client.get(&format!("/borgere/{citizen}")).await;
    let key = page.attr("input[name=form_key]", "value").unwrap();
    let created = client
        .post(
            &format!("/borgere/{citizen}/forloeb"),
            &[("kind", "mentor"), ("form_key", &key)],
        )
        .await;
    assert_eq!(created.status, 303);
    let location = created.location();
    assert!(location.ends_with("/match"), "{location}");
    location
        .trim_start_matches("/forloeb/")
        .trim_end_matches("/match")
        .parse()
        .unwrap()
}

async fn member_id(app: &TestApp, email: &str) -> Uuid {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn registering_a_citizen_checks_the_form_and_logs_the_purpose() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let form = coordinator.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let invalid = coordinator
        .post(
            "/borgere",
            &[
                ("name", "Karim Nasser"),
                ("birth_year", "14-02-2008"),
                ("referred_on", "01-11-2026"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.field_error("kind"),
        "Vælg, om borgeren er mentee eller forælder/pårørende."
    );
    assert_eq!(
        invalid.field_error("birth_year"),
        "Skriv kun fødselsåret med fire cifre, fx 2007."
    );
    assert_eq!(
        invalid.field_error("criteria"),
        "Vælg mindst ét målgruppekriterium."
    );
    assert_eq!(
        invalid.attr("#name", "value").as_deref(),
        Some("Karim Nasser"),
        "input kept"
    );

    let id = register_mentee(&coordinator, "Karim Nasser").await;
    let shown = coordinator.get(&format!("/borgere/{id}")).await;
    assert_eq!(shown.text_of("h1"), "Karim Nasser");
    assert!(shown.text.contains("Viser konkrete bekymringstegn"));
    assert!(!shown.text.contains("14-02"), "no birth date anywhere");
    let logged: Vec<(String, Option<String>)> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_as("SELECT action, purpose FROM audit_log WHERE subject_id = $1 ORDER BY at")
            .bind(id)
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    assert!(
        logged.contains(&("citizen_created".into(), Some("casework".into()))),
        "{logged:?}"
    );
    assert!(
        logged.contains(&("citizen_read".into(), Some("casework".into()))),
        "every read is logged: {logged:?}"
    );
}

#[tokio::test]
async fn consents_are_recorded_and_withdrawn() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let id = register_mentee(&coordinator, "Karim Nasser").await;
    coordinator.get(&format!("/borgere/{id}")).await;
    let recorded = coordinator
        .post(
            &format!("/borgere/{id}/samtykker"),
            &[
                ("consent-kind", "handover"),
                ("consent-given_by", "guardian"),
                ("consent-given_on", "02-11-2026"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    let page = coordinator.get(&format!("/borgere/{id}")).await;
    assert!(
        page.texts("#samtykker ~ div tbody tr")
            .iter()
            .any(|row| row.contains("Overdragelse til sagsbehandler") && row.contains("Gælder"))
    );
    let consent: Uuid = app
        .scalar(&format!(
            "SELECT id FROM consents WHERE citizen_id = '{id}'"
        ))
        .await;
    let withdrawn = coordinator
        .post(
            &format!("/borgere/{id}/samtykker/{consent}/tilbagekald"),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status, 303);
    let withdrawn_on: Option<time::Date> = app
        .scalar(&format!(
            "SELECT withdrawn_on FROM consents WHERE id = '{consent}'"
        ))
        .await;
    assert!(withdrawn_on.is_some());
}

#[tokio::test]
async fn matching_explains_ranks_excludes_conflicts_and_keeps_the_override_reason() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let citizen = register_mentee(&coordinator, "Karim Nasser").await;
    // Karim knows Jonas Brandt from before: Jonas must never be proposed.
    let jonas = member_id(&app, "jonas.brandt@example.org").await;
    coordinator.get(&format!("/borgere/{citizen}")).await;
    let conflict = coordinator
        .post(
            &format!("/borgere/{citizen}/konflikter"),
            &[
                ("member_id", &jonas.to_string()),
                ("reason", "prior_contact"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(conflict.status, 303);
    let course = open_course(&coordinator, citizen).await;

    let page = coordinator.get(&format!("/forloeb/{course}/match")).await;
    assert_eq!(page.status, 200);
    let names = page.texts(".korps-candidate label strong");
    assert!(!names.is_empty(), "own candidates are listed");
    assert!(
        names.iter().all(|name| !name.contains("Jonas Brandt")),
        "a conflict is a hard exclusion: {names:?}"
    );
    assert!(
        page.text.contains("Det ønskede køn") || page.text.contains("Ikke det ønskede køn"),
        "points are explained"
    );
    assert!(
        page.text.contains("Kræver udlån"),
        "the rest of the corps is shown as needing a loan"
    );
    let ids: Vec<String> = {
        let selector = scraper::Selector::parse(".korps-candidate input[name=member_id]").unwrap();
        page.html()
            .select(&selector)
            .map(|el| el.value().attr("value").unwrap().to_string())
            .collect()
    };
    assert!(ids.len() >= 2, "need two candidates to override: {ids:?}");

    let no_reason = coordinator
        .post(
            &format!("/forloeb/{course}/match"),
            &[("member_id", &ids[1]), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(
        no_reason.field_error("reason"),
        "Skriv, hvorfor du vælger en anden end den bedst placerede kandidat."
    );
    let assigned = coordinator
        .post(
            &format!("/forloeb/{course}/match"),
            &[
                ("member_id", &ids[1]),
                ("reason", "Kender familiens sprog og kultur"),
            ],
        )
        .await;
    assert_eq!(assigned.status, 303);
    let shown = coordinator.follow(&format!("/forloeb/{course}")).await;
    assert!(
        shown.text.contains("Kender familiens sprog og kultur"),
        "the reason is kept and shown"
    );
    assert!(shown.text_of(".font-lead").contains("Matchet"));
}

#[tokio::test]
async fn two_coordinators_taking_the_last_free_place_at_once_cannot_both_succeed() {
    let app = TestApp::spawn().await;
    let first = app.login("koordinator.aarhus@example.org").await;
    let second = app.login("koordinator.aarhus@example.org").await;
    let a = open_course(&first, register_mentee(&first, "Karim Nasser").await).await;
    let b = open_course(&first, register_mentee(&first, "Bilal Aziz").await).await;
    let peter = member_id(&app, "peter.skov@example.org").await;
    // Peter has exactly one free place left.
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "UPDATE corps_members SET capacity = (SELECT count(*) FROM courses WHERE member_id = $1
                AND state IN ('matched', 'pre_meeting', 'active', 'ending')) + 1 WHERE id = $1",
    )
    .bind(peter)
    .execute(&mut conn)
    .await
    .unwrap();
    first.get(&format!("/forloeb/{a}/match")).await;
    second.get(&format!("/forloeb/{b}/match")).await;
    let reason = [
        ("member_id", peter.to_string()),
        ("reason", "Bedst egnet til begge".to_string()),
    ];
    let fields: Vec<(&str, &str)> = reason.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (path_a, path_b) = (format!("/forloeb/{a}/match"), format!("/forloeb/{b}/match"));
    let (one, two) = tokio::join!(first.post(&path_a, &fields), second.post(&path_b, &fields));
    let statuses = [one.status, two.status];
    assert!(
        statuses.contains(&303) && statuses.contains(&409),
        "exactly one succeeds: {statuses:?}"
    );
    let refused = if one.status == 409 { &one } else { &two };
    assert_eq!(
        refused.field_error("member_id"),
        "Peter Skov har ikke længere en ledig plads. Vælg en anden."
    );
    let assigned: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM courses WHERE id IN ('{a}', '{b}') AND member_id = '{peter}'"
        ))
        .await;
    assert_eq!(assigned, 1);
}

#[tokio::test]
async fn a_mentor_logs_a_session_and_the_overdue_contact_item_disappears() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let ahmad = member_id(&app, "mentor.aarhus@example.org").await;
    let course: Uuid = app
        .scalar(&format!("SELECT id FROM courses WHERE member_id = '{ahmad}' AND state = 'active' AND kind = 'mentor' ORDER BY started_on LIMIT 1"))
        .await;
    // The last contact was ten days ago.
    let mut conn = app.owner_conn().await;
    sqlx::query("DELETE FROM course_session_versions WHERE session_id IN (SELECT id FROM course_sessions WHERE course_id = $1)")
        .bind(course)
        .execute(&mut conn)
        .await
        .unwrap_or_default();
    sqlx::query("UPDATE course_sessions SET held_on = least(held_on, current_date - 10) WHERE course_id = $1").bind(course).execute(&mut conn).await.unwrap();
    let citizen: String =
        app.scalar(&format!("SELECT z.name FROM course_participants p JOIN citizens z ON z.id = p.citizen_id WHERE p.course_id = '{course}'")).await;
    let overdue = |items: &[String]| {
        items.iter().any(|i| {
            i.contains(&citizen)
                && i.contains("Overskredet")
                && i.contains("Ingen kontakt i mere end 7 dage")
        })
    };
    let due = mentor.get("/").await.texts(".korps-due-list li");
    assert!(overdue(&due), "{citizen}: {due:?}");

    let form = mentor.get(&format!("/forloeb/{course}/sessioner/ny")).await;
    assert_eq!(form.status, 200);
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let today = form.attr("#held_on", "value").unwrap();
    let fields = [
        ("held_on", today.as_str()),
        ("duration_minutes", "60"),
        ("kind", "session"),
        ("participants", "Mentee"),
        ("notes", "Gik en tur og talte om skolen."),
        ("tools", "development_plan"),
        ("next_step", "Møde med studievejleder"),
        ("form_key", key.as_str()),
    ];
    assert_eq!(
        mentor
            .post(&format!("/forloeb/{course}/sessioner"), &fields)
            .await
            .status,
        303
    );
    assert_eq!(
        mentor
            .post(&format!("/forloeb/{course}/sessioner"), &fields)
            .await
            .status,
        303,
        "a double click"
    );
    let count: i64 = app.scalar(&format!("SELECT count(*) FROM course_sessions WHERE course_id = '{course}' AND notes = 'Gik en tur og talte om skolen.'")).await;
    assert_eq!(count, 1, "one session for one form");
    let after = mentor.get("/").await.texts(".korps-due-list li");
    assert!(!overdue(&after), "{after:?}");
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    assert!(page.text.contains("Gik en tur og talte om skolen."));
}

#[tokio::test]
async fn a_session_corrected_on_a_later_day_keeps_its_earlier_version() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let ahmad = member_id(&app, "mentor.aarhus@example.org").await;
    let (course, session): (Uuid, Uuid) = {
        let mut conn = app.owner_conn().await;
        sqlx::query_as(
            "SELECT c.id, s.id FROM courses c JOIN course_sessions s ON s.course_id = c.id
             WHERE c.member_id = $1 AND c.state = 'active' AND s.version = 1 ORDER BY s.held_on DESC LIMIT 1",
        )
        .bind(ahmad)
        .fetch_one(&mut conn)
        .await
        .unwrap()
    };
    let edit = mentor
        .get(&format!("/forloeb/{course}/sessioner/{session}"))
        .await;
    let version = edit.attr("input[name=version]", "value").unwrap();
    let held_on = edit.attr("#held_on", "value").unwrap();
    let saved = mentor
        .post(
            &format!("/forloeb/{course}/sessioner/{session}"),
            &[
                ("held_on", &held_on),
                ("duration_minutes", "75"),
                ("kind", "session"),
                ("notes", "Rettet notat."),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let versions: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM course_session_versions WHERE session_id = '{session}'"
        ))
        .await;
    assert_eq!(
        versions, 1,
        "logged on an earlier day: the old content is kept"
    );
    let history = mentor
        .get(&format!("/forloeb/{course}/sessioner/{session}"))
        .await;
    assert!(history.text.contains("Tidligere versioner"));
    let stale = mentor
        .post(
            &format!("/forloeb/{course}/sessioner/{session}"),
            &[
                ("held_on", &held_on),
                ("duration_minutes", "75"),
                ("kind", "session"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "a stale form never overwrites silently");
    assert!(
        stale.text.contains("Rettet notat."),
        "the saved version is shown"
    );
    assert_eq!(
        stale.attr("#duration_minutes", "value").as_deref(),
        Some("75"),
        "what was typed is kept"
    );
}

#[tokio::test]
async fn mentors_see_only_their_own_courses_and_no_citizen_pages() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let ahmad = member_id(&app, "mentor.aarhus@example.org").await;
    let other: Uuid = app.scalar(&format!("SELECT id FROM courses WHERE member_id IS DISTINCT FROM '{ahmad}' AND municipality_id = (SELECT municipality_id FROM corps_members WHERE id = '{ahmad}') LIMIT 1")).await;
    assert_eq!(mentor.get(&format!("/forloeb/{other}")).await.status, 404);
    assert_eq!(
        mentor
            .get(&format!("/forloeb/{other}/sessioner/ny"))
            .await
            .status,
        404
    );
    let list = mentor.get("/forloeb").await;
    let own: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM courses WHERE member_id = '{ahmad}'"
        ))
        .await;
    assert_eq!(list.texts("tbody tr").len() as i64, own);
    let citizen: Uuid = app.scalar("SELECT id FROM citizens LIMIT 1").await;
    assert_eq!(mentor.get(&format!("/borgere/{citizen}")).await.status, 403);
}

#[tokio::test]
async fn another_municipality_gets_404_for_citizens_courses_and_matching() {
    let app = TestApp::spawn().await;
    let aarhus = app.login("koordinator.aarhus@example.org").await;
    let citizen = register_mentee(&aarhus, "Karim Nasser").await;
    let course = open_course(&aarhus, citizen).await;
    let session: Uuid = app.scalar("SELECT s.id FROM course_sessions s JOIN municipalities m ON m.id = s.municipality_id WHERE m.name = 'Aarhus' LIMIT 1").await;
    let session_course: Uuid = app
        .scalar(&format!(
            "SELECT course_id FROM course_sessions WHERE id = '{session}'"
        ))
        .await;
    let odense = app.login("koordinator.odense@example.org").await;
    for path in [
        format!("/borgere/{citizen}"),
        format!("/borgere/{citizen}/rediger"),
        format!("/forloeb/{course}"),
        format!("/forloeb/{course}/match"),
        format!("/forloeb/{session_course}/sessioner/{session}"),
        format!("/forloeb/{session_course}/overdragelse"),
    ] {
        assert_eq!(odense.get(&path).await.status, 404, "GET {path}");
    }
    let odense_member = member_id(&app, "mentor.odense@example.org")
        .await
        .to_string();
    for (path, fields) in [
        (
            format!("/forloeb/{course}/match"),
            vec![("member_id", odense_member.as_str())],
        ),
        (
            format!("/borgere/{citizen}/samtykker"),
            vec![("consent-kind", "handover")],
        ),
        (
            format!("/forloeb/{session_course}/status"),
            vec![("to", "ending")],
        ),
        (
            format!("/forloeb/{session_course}/annuller"),
            vec![("reason", "x")],
        ),
    ] {
        assert_eq!(odense.post(&path, &fields).await.status, 404, "POST {path}");
    }
    assert!(
        !odense
            .get("/borgere?q=Karim")
            .await
            .text
            .contains("Karim Nasser")
    );
}

#[tokio::test]
async fn a_course_moves_through_its_lifecycle_and_the_handover_respects_consent() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let citizen = register_mentee(&coordinator, "Karim Nasser").await;
    let course = open_course(&coordinator, citizen).await;
    let page = coordinator.get(&format!("/forloeb/{course}/match")).await;
    let top = page
        .attr(".korps-candidate input[name=member_id]", "value")
        .unwrap();
    assert_eq!(
        coordinator
            .post(&format!("/forloeb/{course}/match"), &[("member_id", &top)])
            .await
            .status,
        303,
        "the top candidate needs no reason"
    );
    for to in ["pre_meeting", "active"] {
        coordinator.get(&format!("/forloeb/{course}")).await;
        assert_eq!(
            coordinator
                .post(&format!("/forloeb/{course}/status"), &[("to", to)])
                .await
                .status,
            303,
            "to {to}"
        );
    }
    let skip = coordinator
        .post(&format!("/forloeb/{course}/status"), &[("to", "closed")])
        .await;
    assert_eq!(skip.status, 422, "an active course cannot jump to closed");
    let no_goals = coordinator
        .post(
            &format!("/forloeb/{course}/status"),
            &[
                ("to", "ending"),
                ("note-ending", "Et notat, der ikke må gå tabt"),
            ],
        )
        .await;
    assert_eq!(no_goals.status, 422);
    assert_eq!(
        no_goals.field_error("goals-yes"),
        "Angiv, om målene blev nået."
    );
    assert_eq!(
        no_goals.text_of("#note-ending"),
        "Et notat, der ikke må gå tabt",
        "what was typed is kept"
    );
    let state: String = app
        .scalar(&format!("SELECT state FROM courses WHERE id = '{course}'"))
        .await;
    assert_eq!(state, "active", "ending needs an answer about the goals");
    let ended = coordinator
        .post(
            &format!("/forloeb/{course}/status"),
            &[
                ("to", "ending"),
                ("goals_reached", "partly"),
                ("note", "Fast skolegang; mindre tid i miljøet."),
            ],
        )
        .await;
    assert_eq!(ended.status, 303);
    let handover = coordinator
        .get(&format!("/forloeb/{course}/overdragelse"))
        .await;
    assert!(
        handover.text.contains("ikke givet samtykke"),
        "no handover consent: nothing is handed over"
    );
    assert!(!handover.text.contains("Fast skolegang"));
    coordinator.get(&format!("/borgere/{citizen}")).await;
    coordinator
        .post(
            &format!("/borgere/{citizen}/samtykker"),
            &[
                ("consent-kind", "handover"),
                ("consent-given_by", "citizen"),
                ("consent-given_on", "01-11-2026"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    let handover = coordinator
        .get(&format!("/forloeb/{course}/overdragelse"))
        .await;
    assert!(
        handover
            .text
            .contains("Fast skolegang; mindre tid i miljøet.")
    );
    assert!(handover.text.contains("Delvist"));
    coordinator.get(&format!("/forloeb/{course}")).await;
    assert_eq!(
        coordinator
            .post(&format!("/forloeb/{course}/status"), &[("to", "closed")])
            .await
            .status,
        303
    );
    let cancel = coordinator
        .post(&format!("/forloeb/{course}/annuller"), &[("reason", "x")])
        .await;
    assert_eq!(cancel.status, 409, "a closed course cannot be cancelled");
}

#[tokio::test]
async fn a_network_outside_eight_to_fifteen_people_is_warned_about() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let form = coordinator.get("/forloeb/nyt-netvaerk").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let ids: Vec<String> = {
        let selector = scraper::Selector::parse("input[name=participants]").unwrap();
        form.html()
            .select(&selector)
            .take(3)
            .map(|el| el.value().attr("value").unwrap().to_string())
            .collect()
    };
    let mut fields = vec![("title", "Netværk Syd"), ("form_key", key.as_str())];
    fields.extend(ids.iter().map(|id| ("participants", id.as_str())));
    let created = coordinator.post("/forloeb/nyt-netvaerk", &fields).await;
    assert_eq!(created.status, 303);
    let page = coordinator.follow(&created.location()).await;
    assert!(
        page.text_of(".alert-success").contains("8–15 deltagere"),
        "{}",
        page.text_of(".alert-success")
    );
}

#[tokio::test]
async fn monthly_coaching_clears_the_coordinators_item() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    sqlx::query("DELETE FROM coaching_log WHERE held_on >= date_trunc('month', current_date)")
        .execute(&mut conn)
        .await
        .unwrap();
    let before = coordinator.get("/").await.texts(".korps-due-list li");
    assert!(
        before
            .iter()
            .any(|item| item.contains("Månedlig coaching af Ahmad Rahimi")),
        "{before:?}"
    );
    let ahmad = member_id(&app, "mentor.aarhus@example.org").await;
    let page = coordinator.get("/coaching").await;
    let today = page.attr("#held_on", "value").unwrap();
    let saved = coordinator
        .post(
            "/coaching",
            &[
                ("member", &ahmad.to_string()),
                ("held_on", &today),
                ("best_hopes", "Ro i forløbet."),
                ("scale", "6"),
                ("next_step", "Følge op"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let after = coordinator.get("/").await.texts(".korps-due-list li");
    assert!(
        !after
            .iter()
            .any(|item| item.contains("Månedlig coaching af Ahmad Rahimi")),
        "{after:?}"
    );
}

/// Creates a course directly in the database (as the owner) for the rule tests.
async fn seed_course(
    app: &TestApp,
    kind: &str,
    state: &str,
    matched_ago: i32,
    started_ago: Option<i32>,
    ended_ago: Option<i32>,
    participants: i32,
) -> Uuid {
    let mut conn = app.owner_conn().await;
    let course = Uuid::now_v7();
    let (municipality, member): (Uuid, Uuid) = sqlx::query_as(
        "SELECT cm.municipality_id, cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id WHERE u.email = 'coach.aarhus@example.org'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO courses (id, municipality_id, kind, title, member_id, state, referred_on, matched_on, started_on, ended_on)
         VALUES ($1, $2, $3, $4, $5, $6, current_date - $7 - 5, current_date - $7, current_date - $8, current_date - $9)",
    )
    .bind(course)
    .bind(municipality)
    .bind(kind)
    .bind(format!("Regeltest {kind} {state}"))
    .bind(member)
    .bind(state)
    .bind(matched_ago)
    .bind(started_ago)
    .bind(ended_ago)
    .execute(&mut conn)
    .await
    .unwrap();
    for i in 0..participants {
        let citizen = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO citizens (id, municipality_id, kind, name, referred_on, referral_source, criteria, legal_basis)
             VALUES ($1, $2, 'relative', $3, current_date, 'family', ARRAY['relative_of_concern'], 'social_services_act')",
        )
        .bind(citizen)
        .bind(municipality)
        .bind(format!("Regeltest {kind} {state} {i}"))
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query("INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on) VALUES ($1, $2, $3, current_date)")
            .bind(course)
            .bind(citizen)
            .bind(municipality)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    course
}

async fn seed_session(app: &TestApp, course: Uuid, days_ago: i32, kind: &str) {
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind, logged_by)
         SELECT $1, municipality_id, id, current_date - $2, 100, $3, (SELECT id FROM users WHERE email = 'coach.aarhus@example.org')
         FROM courses WHERE id = $4",
    )
    .bind(Uuid::now_v7())
    .bind(days_ago)
    .bind(kind)
    .bind(course)
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn every_course_rule_shows_up_on_the_start_pages() {
    let app = TestApp::spawn().await;
    // Parent coaching matched three weeks ago, no pre-meeting held.
    seed_course(&app, "parent_coaching", "matched", 21, None, None, 1).await;
    // Parent coaching whose last coaching session was ten weeks ago.
    let stale = seed_course(&app, "parent_coaching", "active", 120, Some(110), None, 1).await;
    seed_session(&app, stale, 70, "session").await;
    // Parent coaching ending with only two coaching sessions.
    let thin = seed_course(
        &app,
        "parent_coaching",
        "ending",
        200,
        Some(190),
        Some(1),
        1,
    )
    .await;
    seed_session(&app, thin, 100, "session").await;
    seed_session(&app, thin, 40, "session").await;
    // Follow-up: ended three months and a few days ago, no follow-up meeting yet.
    seed_course(
        &app,
        "parent_coaching",
        "follow_up",
        300,
        Some(290),
        Some(95),
        1,
    )
    .await;
    // A network whose last meeting was a hundred days ago, with five participants.
    let network = seed_course(&app, "relatives_network", "active", 300, Some(290), None, 5).await;
    seed_session(&app, network, 100, "network_meeting").await;

    let expected = [
        (
            "Regeltest parent_coaching matched",
            "Overskredet",
            "Formødet er ikke holdt",
        ),
        (
            "Regeltest parent_coaching active",
            "Overskredet",
            "Mere end to måneder siden sidste coachingsession",
        ),
        (
            "Regeltest parent_coaching ending",
            "Bemærk",
            "Færre end tre coachingsessioner i forløbet",
        ),
        (
            "Regeltest parent_coaching follow_up",
            "Overskredet",
            "Opfølgningsmøde tre måneder efter afslutning",
        ),
        (
            "Regeltest relatives_network active",
            "Overskredet",
            "Næste netværksmøde (to til tre måneders interval)",
        ),
        (
            "Regeltest relatives_network active",
            "Bemærk",
            "Netværket har færre end 8 eller flere end 15 deltagere",
        ),
        (
            "Regeltest parent_coaching active",
            "Overskredet",
            "Førmåling af trivsel og livsmestring",
        ),
        (
            "Regeltest parent_coaching active",
            "Overskredet",
            "Progressionsmåling (mindst hver anden måned)",
        ),
        (
            "Regeltest parent_coaching follow_up",
            "Overskredet",
            "Eftermåling af trivsel og livsmestring",
        ),
    ];
    for login in ["koordinator.aarhus@example.org", "coach.aarhus@example.org"] {
        let items = app
            .login(login)
            .await
            .get("/")
            .await
            .texts(".korps-due-list li");
        for (course, urgency, text) in expected {
            assert!(
                items.iter().any(|item| item.starts_with(urgency)
                    && item.contains(course)
                    && item.contains(text)),
                "{login} misses «{urgency} {course}: {text}» in {items:#?}"
            );
        }
    }
    // An item goes away when its rule is met: a coaching session today.
    let coach = app.login("coach.aarhus@example.org").await;
    seed_session(&app, stale, 0, "session").await;
    let items = coach.get("/").await.texts(".korps-due-list li");
    assert!(
        !items
            .iter()
            .any(|item| item.contains("Regeltest parent_coaching active")
                && item.contains("coachingsession")),
        "{items:#?}"
    );
    // The Odense coordinator sees none of them.
    let odense = app
        .login("koordinator.odense@example.org")
        .await
        .get("/")
        .await
        .texts(".korps-due-list li");
    assert!(!odense.iter().any(|item| item.contains("Regeltest")));
}

#[tokio::test]
async fn the_coaching_card_is_checked_and_kept_with_the_log_entry() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let ahmad = member_id(&app, "mentor.aarhus@example.org")
        .await
        .to_string();
    let page = coordinator.get("/coaching").await;
    assert!(
        page.has("input[name=scale][value='10']"),
        "the card's 1–10 scale"
    );
    let today = page.attr("#held_on", "value").unwrap();
    let key = page.attr("input[name=form_key]", "value").unwrap();
    let incomplete = coordinator
        .post(
            "/coaching",
            &[
                ("member", &ahmad),
                ("held_on", &today),
                ("best_hopes", "Mere ro"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(incomplete.status, 422);
    assert_eq!(incomplete.field_error("scale"), "Udfyld feltet.");
    assert_eq!(incomplete.field_error("next_step"), "Udfyld feltet.");
    assert_eq!(
        incomplete.text_of("#best_hopes"),
        "Mere ro",
        "what was typed is kept"
    );
    // The form came back with its one-time key; sent twice, it records one coaching.
    assert_eq!(
        incomplete.attr("input[name=form_key]", "value").as_deref(),
        Some(key.as_str()),
        "the key is kept"
    );
    let complete = [
        ("member", ahmad.as_str()),
        ("held_on", today.as_str()),
        ("best_hopes", "Mere ro"),
        ("scale", "7"),
        ("confidence", "8"),
        ("next_step", "Ringe til skolen"),
        ("form_key", key.as_str()),
    ];
    let (saved, again) = tokio::join!(
        coordinator.post("/coaching", &complete),
        coordinator.post("/coaching", &complete)
    );
    assert_eq!([saved.status, again.status], [303, 303]);
    let recorded = format!(
        "SELECT count(*) FROM coaching_log WHERE member_id = '{ahmad}' AND notes = 'Mere ro'"
    );
    assert_eq!(count(&app, &recorded).await, 1, "one coaching");
    let rows = coordinator.get("/coaching").await.texts("tbody tr");
    assert!(
        rows.iter().any(|r| r.contains("Ahmad Rahimi")
            && r.contains("Mere ro")
            && r.contains(" 7 ")
            && r.contains("Ringe til skolen")),
        "{rows:?}"
    );
    let stored: (String, i64) = {
        let mut conn = app.owner_conn().await;
        sqlx::query_as("SELECT tool, (answers->>'confidence')::bigint FROM tool_answers WHERE coaching_id IS NOT NULL ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(stored, ("conversation_card".to_string(), 8));
}

/// How many rows `sql` counts (as the owner).
async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

/// The whole audit log's length.
async fn audit_entries(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) FROM audit_log").await
}

/// Posts an invalid small form of the citizen page (`/borgere/{id}/…`) or the course page
/// (`/forloeb/{id}/…`): the answer is that page again (422), and the one entry it leaves
/// in the audit log is the read of the citizen's or the course's data the page shows.
async fn refused(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut segments = path.trim_start_matches('/').split('/');
    let read = match segments.next() {
        Some("borgere") => "citizen_read",
        Some("forloeb") => "course_read",
        _ => panic!("{path} is not on the citizen or the course page"),
    };
    let subject = segments.next().unwrap_or_default();
    let before = audit_entries(app).await;
    let page = client.post(path, fields).await;
    assert_eq!(page.status, 422, "POST {path}");
    // The reads of the page shown: the citizen or each of the course's citizens, and
    // each citizen a relation search shows; nothing else.
    let after = audit_entries(app).await;
    assert!(after > before, "POST {path}: the page shown is logged");
    let new = format!(
        "SELECT action || ' ' || coalesce(subject_id::text, '') FROM audit_log
         ORDER BY at DESC, id DESC LIMIT {}",
        after - before
    );
    let mut conn = app.owner_conn().await;
    let entries: Vec<String> = sqlx::query_scalar(&new).fetch_all(&mut conn).await.unwrap();
    assert!(
        entries.contains(&format!("{read} {subject}")),
        "POST {path}: {entries:?} holds the read of the page"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.starts_with(read) || e.starts_with("citizen_list_read")),
        "POST {path}: only reads, nothing of the form: {entries:?}"
    );
    page
}

/// The raw text of the first element matching `selector` (whitespace kept).
fn raw_text(page: &Page, selector: &str) -> String {
    let selector = scraper::Selector::parse(selector).unwrap();
    page.html()
        .select(&selector)
        .next()
        .map(|el| el.text().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_refused_small_form_is_logged_as_a_read_of_the_citizen() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let id = register_mentee(&coordinator, "Karim Nasser").await;
    let actor = app.user_id("koordinator.aarhus@example.org").await;
    let aarhus = app.municipality_id("Aarhus").await;
    let reads = format!(
        "SELECT count(*) FROM audit_log WHERE action = 'citizen_read' AND subject_type = 'citizen'
           AND subject_id = '{id}' AND actor_id = '{actor}' AND municipality_id = '{aarhus}'
           AND purpose = 'casework'"
    );
    let before = count(&app, &reads).await;
    let page = coordinator
        .post(
            &format!("/borgere/{id}/konflikter"),
            &[("member_id", ""), ("reason", "family")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.text_of("h1"),
        "Karim Nasser",
        "the citizen's data is shown"
    );
    assert_eq!(
        count(&app, &reads).await,
        before + 1,
        "the view is in the log like any other read of the citizen"
    );
}

#[tokio::test]
async fn an_invalid_consent_answers_the_citizen_page_with_the_message_at_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let id = register_mentee(&coordinator, "Karim Nasser").await;
    coordinator.get(&format!("/borgere/{id}")).await;
    let path = format!("/borgere/{id}/samtykker");
    // A date in the future, as a user may type it.
    let future = refused(
        &app,
        &coordinator,
        &path,
        &[
            ("consent-kind", "handover"),
            ("consent-given_by", "guardian"),
            ("consent-given_on", "01-01-2099"),
        ],
    )
    .await;
    assert_eq!(future.text_of("h1"), "Karim Nasser", "the whole page again");
    assert_eq!(
        future.field_error("consent-given_on"),
        "Skriv en dato som dd-mm-åååå, der ikke ligger i fremtiden."
    );
    assert!(
        future.has(".alert-error a[href='#consent-given_on']"),
        "the summary leads to the field"
    );
    assert_eq!(
        future.attr("#consent-given_on", "value").as_deref(),
        Some("01-01-2099"),
        "what was typed is kept"
    );
    assert_eq!(
        future
            .attr("#consent-kind option[selected]", "value")
            .as_deref(),
        Some("handover")
    );
    assert_eq!(
        future
            .attr("#consent-given_by option[selected]", "value")
            .as_deref(),
        Some("guardian")
    );
    // A kind and a giver the form does not offer, as an attacker may send them.
    let forged = refused(
        &app,
        &coordinator,
        &path,
        &[
            ("consent-kind", "everything"),
            ("consent-given_by", "neighbour"),
            ("consent-given_on", "01-11-2026"),
        ],
    )
    .await;
    assert_eq!(forged.field_error("consent-kind"), "Vælg samtykke.");
    assert_eq!(
        forged.field_error("consent-given_by"),
        "Vælg, hvem der gav samtykket."
    );
    assert_eq!(forged.field_error("consent-given_on"), "");
    let consents = format!("SELECT count(*) FROM consents WHERE citizen_id = '{id}'");
    assert_eq!(count(&app, &consents).await, 0, "nothing is written");

    let recorded = coordinator
        .post(
            &path,
            &[
                ("consent-kind", "handover"),
                ("consent-given_by", "guardian"),
                ("consent-given_on", "01-11-2026"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    assert_eq!(recorded.location(), format!("/borgere/{id}#samtykker"));
    assert_eq!(count(&app, &consents).await, 1);
    let logged = format!(
        "SELECT count(*) FROM audit_log WHERE subject_id = '{id}' AND action = 'consent_recorded' AND purpose = 'casework'"
    );
    assert_eq!(count(&app, &logged).await, 1);
}

#[tokio::test]
async fn an_invalid_relation_answers_the_citizen_page_with_the_message_at_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let karim = register_mentee(&coordinator, "Karim Nasser").await;
    let bilal = register_mentee(&coordinator, "Bilal Aziz").await;
    let mother = register(&coordinator, "relative", "Samira Nasser").await;
    let page = coordinator.get(&format!("/borgere/{karim}")).await;
    assert!(
        !page.has("#other_id"),
        "the page lists no other citizens until the coordinator searches"
    );
    let found = coordinator
        .post(
            &format!("/borgere/{karim}/relationer/soeg"),
            &[("q", "nasser")],
        )
        .await;
    assert_eq!(found.status, 200);
    assert!(
        found.has(&format!("#other_id option[value='{mother}']")),
        "a relative whose name matches is offered"
    );
    assert!(
        !found.has(&format!("#other_id option[value='{bilal}']")),
        "only relatives are offered to a mentee"
    );
    assert_eq!(found.attr("#q", "value").as_deref(), Some("nasser"));
    let shown = format!(
        "SELECT count(*) FROM audit_log WHERE citizen_id = '{mother}' AND action = 'citizen_list_read'
           AND details->>'page' = 'relation_search' AND details->>'q' = 'nasser'"
    );
    assert_eq!(
        count(&app, &shown).await,
        1,
        "each match shown is logged with the search"
    );
    let nobody = coordinator
        .post(
            &format!("/borgere/{karim}/relationer/soeg"),
            &[("q", "zzz")],
        )
        .await;
    assert!(
        nobody
            .text
            .contains("Ingen borgere af den anden type passer")
    );
    let path = format!("/borgere/{karim}/relationer");
    let relations = format!(
        "SELECT count(*) FROM citizen_relations WHERE mentee_id = '{karim}' OR relative_id = '{karim}'"
    );
    // Two mentees cannot be each other's relatives.
    let mentee = refused(
        &app,
        &coordinator,
        &path,
        &[
            ("q", "nasser"),
            ("other_id", &bilal.to_string()),
            ("relation", "sibling"),
        ],
    )
    .await;
    assert_eq!(mentee.text_of("h1"), "Karim Nasser");
    assert_eq!(mentee.field_error("other_id"), "Vælg en borger.");
    assert_eq!(
        mentee
            .attr("#relation option[selected]", "value")
            .as_deref(),
        Some("sibling"),
        "the relation chosen is kept"
    );
    // A relation the form does not offer.
    let forged = refused(
        &app,
        &coordinator,
        &path,
        &[
            ("q", "nasser"),
            ("other_id", &mother.to_string()),
            ("relation", "cousin"),
        ],
    )
    .await;
    assert_eq!(forged.field_error("relation"), "Vælg relationen.");
    assert_eq!(forged.field_error("other_id"), "");
    assert_eq!(
        forged.attr("#other_id option[selected]", "value"),
        Some(mother.to_string()),
        "the citizen chosen is kept"
    );
    assert_eq!(count(&app, &relations).await, 0, "nothing is written");

    let added = coordinator
        .post(
            &path,
            &[
                ("other_id", &mother.to_string()),
                ("relation", "mother"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    assert_eq!(count(&app, &relations).await, 1);
    let logged = format!(
        "SELECT count(*) FROM audit_log WHERE action = 'relation_added' AND subject_id IN ('{karim}', '{mother}')"
    );
    assert_eq!(count(&app, &logged).await, 2, "in both citizens' records");
}

#[tokio::test]
async fn an_invalid_conflict_answers_the_citizen_page_with_the_message_at_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let karim = register_mentee(&coordinator, "Karim Nasser").await;
    let jonas = member_id(&app, "jonas.brandt@example.org")
        .await
        .to_string();
    // Another municipality's member is no member here.
    let fatima = member_id(&app, "mentor.odense@example.org")
        .await
        .to_string();
    coordinator.get(&format!("/borgere/{karim}")).await;
    let path = format!("/borgere/{karim}/konflikter");
    let conflicts = format!("SELECT count(*) FROM member_conflicts WHERE citizen_id = '{karim}'");
    let foreign = refused(
        &app,
        &coordinator,
        &path,
        &[("member_id", &fatima), ("reason", "family")],
    )
    .await;
    assert_eq!(foreign.text_of("h1"), "Karim Nasser");
    assert_eq!(
        foreign.field_error("member_id"),
        "Vælg en mentor eller forældrecoach."
    );
    assert_eq!(
        foreign.attr("#reason option[selected]", "value").as_deref(),
        Some("family"),
        "the reason chosen is kept"
    );
    let forged = refused(
        &app,
        &coordinator,
        &path,
        &[("member_id", &jonas), ("reason", "dislike")],
    )
    .await;
    assert_eq!(forged.field_error("reason"), "Vælg en årsag.");
    assert_eq!(
        forged.attr("#member_id option[selected]", "value"),
        Some(jonas.clone())
    );
    assert_eq!(count(&app, &conflicts).await, 0, "nothing is written");

    let recorded = coordinator
        .post(
            &path,
            &[
                ("member_id", &jonas),
                ("reason", "prior_contact"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    assert_eq!(count(&app, &conflicts).await, 1);
    let logged = format!(
        "SELECT count(*) FROM audit_log WHERE subject_id = '{karim}' AND action = 'conflict_recorded'"
    );
    assert_eq!(count(&app, &logged).await, 1);
}

#[tokio::test]
async fn cancelling_without_a_reason_answers_the_course_page_with_the_message_at_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let course = open_course(
        &coordinator,
        register_mentee(&coordinator, "Karim Nasser").await,
    )
    .await;
    let page = coordinator.get(&format!("/forloeb/{course}")).await;
    assert!(!page.has("details[open]"), "the cancel form starts closed");
    let path = format!("/forloeb/{course}/annuller");
    let state = format!("SELECT state FROM courses WHERE id = '{course}'");
    let blank = refused(&app, &coordinator, &path, &[("reason", "   ")]).await;
    assert!(
        blank.text_of("h1").contains("Karim Nasser"),
        "the course page again"
    );
    assert_eq!(
        blank.field_error("reason"),
        "Skriv, hvorfor forløbet annulleres."
    );
    assert!(
        blank.has("details[open] #reason"),
        "the form is open at the message"
    );
    assert_eq!(raw_text(&blank, "#reason"), "   ", "what was typed is kept");
    assert_eq!(app.scalar::<String>(&state).await, "referred");

    let cancelled = coordinator
        .post(&path, &[("reason", "Borgeren er flyttet")])
        .await;
    assert_eq!(cancelled.status, 303);
    assert_eq!(cancelled.location(), format!("/forloeb/{course}"));
    assert_eq!(app.scalar::<String>(&state).await, "cancelled");
    let logged = format!(
        "SELECT count(*) FROM audit_log WHERE subject_id = '{course}' AND action = 'course_cancelled'"
    );
    assert_eq!(count(&app, &logged).await, 1);
}

#[tokio::test]
async fn an_extension_without_a_later_end_answers_the_course_page_with_the_note_kept() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let course = seed_course(
        &app,
        "parent_coaching",
        "ending",
        120,
        Some(110),
        Some(3),
        1,
    )
    .await;
    coordinator.get(&format!("/forloeb/{course}")).await;
    let path = format!("/forloeb/{course}/status");
    let past = refused(
        &app,
        &coordinator,
        &path,
        &[
            ("to", "active"),
            ("planned_end_on", "01-01-2020"),
            ("note-extension", "Familien har brug for mere tid"),
        ],
    )
    .await;
    assert_eq!(
        past.field_error("planned_end_on"),
        "Skriv en begrundelse og en ny forventet slutdato efter i dag."
    );
    assert_eq!(
        past.attr("#planned_end_on", "value").as_deref(),
        Some("01-01-2020")
    );
    assert_eq!(
        past.text_of("#note-extension"),
        "Familien har brug for mere tid",
        "what was typed is kept"
    );
    let state = format!("SELECT state FROM courses WHERE id = '{course}'");
    assert_eq!(app.scalar::<String>(&state).await, "ending");

    let extended = coordinator
        .post(
            &path,
            &[
                ("to", "active"),
                ("planned_end_on", "01-01-2099"),
                ("note-extension", "Familien har brug for mere tid"),
            ],
        )
        .await;
    assert_eq!(extended.status, 303);
    assert_eq!(app.scalar::<String>(&state).await, "active");
    let events = format!(
        "SELECT count(*) FROM course_events WHERE course_id = '{course}' AND kind = 'extended'"
    );
    assert_eq!(count(&app, &events).await, 1);
}

/// The small forms of a citizen's page carry their own one-time keys: a consent or a
/// conflict sent twice (a double click, a resent POST) is recorded once, and the second
/// answer is the first one's redirect.
#[tokio::test]
async fn a_consent_and_a_conflict_sent_twice_are_recorded_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let citizen = register_mentee(&coordinator, "Karim Nasser").await;
    let page = coordinator.get(&format!("/borgere/{citizen}")).await;
    let key = |action: &str| {
        page.attr(
            &format!("form[action$='{action}'] input[name=form_key]"),
            "value",
        )
        .unwrap_or_else(|| panic!("a one-time key in the form {action}"))
    };
    let (consent_key, conflict_key) = (key("/samtykker"), key("/konflikter"));
    assert_ne!(consent_key, conflict_key, "each form its own key");

    let consent = [
        ("consent-kind", "handover"),
        ("consent-given_by", "guardian"),
        ("consent-given_on", "02-11-2026"),
        ("form_key", consent_key.as_str()),
    ];
    let path = format!("/borgere/{citizen}/samtykker");
    let (first, second) = tokio::join!(
        coordinator.post(&path, &consent),
        coordinator.post(&path, &consent)
    );
    assert_eq!([first.status, second.status], [303, 303]);
    assert_eq!(first.location(), second.location());
    let consents = format!("SELECT count(*) FROM consents WHERE citizen_id = '{citizen}'");
    assert_eq!(count(&app, &consents).await, 1, "one consent");

    let jonas = member_id(&app, "jonas.brandt@example.org")
        .await
        .to_string();
    let conflict = [
        ("member_id", jonas.as_str()),
        ("reason", "prior_contact"),
        ("form_key", conflict_key.as_str()),
    ];
    let path = format!("/borgere/{citizen}/konflikter");
    let once = coordinator.post(&path, &conflict).await;
    let twice = coordinator.post(&path, &conflict).await;
    assert_eq!([once.status, twice.status], [303, 303]);
    assert_eq!(once.location(), twice.location());
    let conflicts = format!("SELECT count(*) FROM member_conflicts WHERE citizen_id = '{citizen}'");
    assert_eq!(count(&app, &conflicts).await, 1, "one conflict");

    // Without a key (an old page, a script) the save is refused, never done twice.
    let keyless = coordinator.post(&path, &conflict[..2]).await;
    assert_eq!(keyless.status, 422);
}

#[tokio::test]
async fn a_form_sent_twice_creates_one_citizen_and_one_course() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let form = coordinator.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let fields = [
        ("kind", "mentee"),
        ("name", "Dobbelt Indsendt"),
        ("birth_year", "2008"),
        ("referred_on", "01-11-2026"),
        ("referral_source", "infohouse"),
        ("criteria", "signs_of_concern"),
        ("legal_basis", "social_services_act"),
        ("form_key", key.as_str()),
    ];
    let (first, second) = tokio::join!(
        coordinator.post("/borgere", &fields),
        coordinator.post("/borgere", &fields)
    );
    assert_eq!([first.status, second.status], [303, 303]);
    assert_eq!(
        first.location(),
        second.location(),
        "both go to the one record"
    );
    let named = "SELECT count(*) FROM citizens WHERE name = 'Dobbelt Indsendt'";
    assert_eq!(count(&app, named).await, 1);
    let citizen: Uuid = first
        .location()
        .trim_start_matches("/borgere/")
        .parse()
        .unwrap();
    let created = format!(
        "SELECT count(*) FROM audit_log WHERE action = 'citizen_created' AND subject_id = '{citizen}'"
    );
    assert_eq!(count(&app, &created).await, 1, "and one audit entry");

    let page = coordinator.get(&format!("/borgere/{citizen}")).await;
    let key = page.attr("input[name=form_key]", "value").unwrap();
    let path = format!("/borgere/{citizen}/forloeb");
    let open = [("kind", "mentor"), ("form_key", key.as_str())];
    let once = coordinator.post(&path, &open).await;
    let twice = coordinator.post(&path, &open).await;
    assert_eq!([once.status, twice.status], [303, 303]);
    assert_eq!(once.location(), twice.location());
    let courses =
        format!("SELECT count(*) FROM course_participants WHERE citizen_id = '{citizen}'");
    assert_eq!(count(&app, &courses).await, 1, "one course");
}
