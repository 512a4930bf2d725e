//! Loans between municipalities: request in general terms, forwarded by the national
//! centre, accepted by the lending coordinator with a member, assigned by the receiving
//! coordinator; the lent mentor sees exactly that course for the loan and nothing else
//! of the receiving municipality; ending the loan ends the access and settles the hours.

use uuid::Uuid;

use crate::support::{Client, TestApp};

/// Odense's waiting mentor course (the demo leaves one for the tests).
pub(crate) async fn waiting_course(app: &TestApp) -> Uuid {
    app.scalar(
        "SELECT c.id FROM courses c JOIN municipalities m ON m.id = c.municipality_id
         WHERE m.name = 'Odense' AND c.kind = 'mentor' AND c.state = 'referred'
           AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.course_id = c.id) LIMIT 1",
    )
    .await
}

pub(crate) async fn version(app: &TestApp, loan: Uuid) -> String {
    app.scalar::<i32>(&format!("SELECT version FROM loans WHERE id = '{loan}'"))
        .await
        .to_string()
}

/// Requests a loan for the course as Odense's coordinator; returns the loan's id.
pub(crate) async fn request(app: &TestApp, odense: &Client, course: Uuid) -> Uuid {
    let form = odense.get(&format!("/forloeb/{course}/udlaan")).await;
    assert_eq!(form.status, 200);
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let from = form.attr("#period_from", "value").unwrap();
    let to = form.attr("#period_to", "value").unwrap();
    let sent = odense
        .post(
            &format!("/forloeb/{course}/udlaan"),
            &[
                ("needs", "Mandlig mentor med erfaring fra ungdomsmiljøer."),
                ("languages", "ar"),
                ("period_from", &from),
                ("period_to", &to),
                ("hours_per_week", "3"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "the request is sent");
    let loan: Uuid = app
        .scalar(&format!(
            "SELECT id FROM loans WHERE course_id = '{course}'"
        ))
        .await;
    assert_eq!(sent.location(), format!("/udlaan/{loan}"));
    loan
}

#[tokio::test]
async fn a_loan_goes_from_request_to_settlement_and_the_access_comes_and_goes() {
    let app = TestApp::spawn().await;
    let odense = app.login("koordinator.odense@example.org").await;
    let national = app.login("national@example.org").await;
    let aarhus = app.login("koordinator.aarhus@example.org").await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let course = waiting_course(&app).await;
    let citizen: String = app
        .scalar(&format!(
            "SELECT z.name FROM course_participants p JOIN citizens z ON z.id = p.citizen_id
             WHERE p.course_id = '{course}'"
        ))
        .await;

    // Before any loan the mentor cannot open Odense's course.
    assert_eq!(mentor.get(&format!("/forloeb/{course}")).await.status, 404);

    let loan = request(&app, &odense, course).await;

    // The national centre sees the request in general terms only, and candidates.
    let page = national.get(&format!("/udlaan/{loan}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Mandlig mentor med erfaring"));
    assert!(!page.text.contains(&citizen), "no citizen identity");
    assert!(
        !page.text.contains(&course.to_string()),
        "not even the course's id"
    );
    let candidates = page.texts("#candidates tbody tr");
    assert!(
        candidates
            .iter()
            .any(|r| r.starts_with("Ahmad Rahimi Aarhus")),
        "Aarhus's mentor with free places: {candidates:?}"
    );
    assert!(
        !candidates.iter().any(|r| r.contains(" Odense ")),
        "not the requesting municipality's own: {candidates:?}"
    );
    let aarhus_id = app.municipality_id("Aarhus").await;
    let v = version(&app, loan).await;
    let missing = national
        .post(
            &format!("/udlaan/{loan}/videresend"),
            &[("version", &v), ("municipality", "")],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.field_error("municipality"),
        "Vælg den kommune, anmodningen skal sendes til."
    );
    let forwarded = national
        .post(
            &format!("/udlaan/{loan}/videresend"),
            &[
                ("version", &v),
                ("municipality", &aarhus_id.to_string()),
                ("note", "Ahmad Rahimi har ledig kapacitet."),
            ],
        )
        .await;
    assert_eq!(forwarded.status, 303);
    assert!(
        !national
            .get(&format!("/udlaan/{loan}"))
            .await
            .has("form[action$='/videresend']"),
        "a forwarded request waits for the municipality's answer"
    );

    // Aarhus answers: a member and a rate, and that the receiving municipality pays.
    let start = aarhus.get("/").await;
    assert!(
        start
            .text
            .contains("anmodninger om udlån venter på jeres svar"),
        "the request is on Aarhus's start page"
    );
    let page = aarhus.get(&format!("/udlaan/{loan}")).await;
    assert!(!page.text.contains(&citizen));
    let member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.aarhus@example.org'",
        )
        .await;
    let v = version(&app, loan).await;
    let incomplete = aarhus
        .post(
            &format!("/udlaan/{loan}/accepter"),
            &[
                ("version", &v),
                ("member", &member.to_string()),
                ("rate", "tre hundrede"),
            ],
        )
        .await;
    assert_eq!(incomplete.status, 422);
    assert_eq!(
        incomplete.field_error("rate"),
        "Skriv en timepris mellem 0 og 5.000 kr."
    );
    assert_eq!(
        incomplete.field_error("pays"),
        "Bekræft, at den modtagende kommune betaler."
    );
    assert_eq!(
        incomplete.attr("#rate", "value").as_deref(),
        Some("tre hundrede"),
        "what was typed is kept"
    );
    let accepted = aarhus
        .post(
            &format!("/udlaan/{loan}/accepter"),
            &[
                ("version", &v),
                ("member", &member.to_string()),
                ("rate", "400,00"),
                ("pays", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303);
    // The same form again is stale: the loan page as it is now, saying why.
    let stale = aarhus
        .post(
            &format!("/udlaan/{loan}/accepter"),
            &[
                ("version", &v),
                ("member", &member.to_string()),
                ("rate", "400"),
                ("pays", "yes"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .text_of(".alert-error")
            .contains("mens du havde siden åben"),
        "{}",
        stale.text_of("main")
    );

    // Agreed but not yet assigned: still no access.
    assert_eq!(mentor.get(&format!("/forloeb/{course}")).await.status, 404);
    let v = version(&app, loan).await;
    assert_eq!(
        odense
            .post(&format!("/udlaan/{loan}/tildel"), &[("version", &v)])
            .await
            .status,
        303
    );
    let state: String = app
        .scalar(&format!("SELECT state FROM courses WHERE id = '{course}'"))
        .await;
    assert_eq!(state, "matched", "the course is the lent mentor's now");

    // The lent mentor sees exactly that course and works on it.
    let start = mentor.get("/").await;
    let lent = start.texts("#lent-courses li");
    assert!(
        lent.iter()
            .any(|li| li.contains(&citizen) && li.contains("Odense")),
        "{lent:?}"
    );
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("Gå videre til"),
        "Odense's coordinator moves the course on, not the lent mentor"
    );
    let form = mentor.get(&format!("/forloeb/{course}/sessioner/ny")).await;
    assert_eq!(form.status, 200);
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let held_on = form.attr("#held_on", "value").unwrap();
    let logged = mentor
        .post(
            &format!("/forloeb/{course}/sessioner"),
            &[
                ("held_on", &held_on),
                ("duration_minutes", "90"),
                ("kind", "session"),
                ("participants", "Mentee"),
                ("notes", "Første møde."),
                ("next_step", "Mødes igen på torsdag"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(logged.status, 303, "the lent mentor logs a session");
    let session_municipality: String = app
        .scalar(&format!(
            "SELECT m.name FROM course_sessions s JOIN municipalities m ON m.id = s.municipality_id
             WHERE s.course_id = '{course}'"
        ))
        .await;
    assert_eq!(
        session_municipality, "Odense",
        "the session is Odense's record"
    );
    let tool = mentor
        .get(&format!("/forloeb/{course}/redskaber/development_plan"))
        .await;
    assert_eq!(tool.status, 200);
    let saved = mentor
        .post(
            &format!("/forloeb/{course}/redskaber/development_plan"),
            &[
                ("filled_on", &held_on),
                ("goals-0-goal", "Finde et fritidsjob"),
                ("progress", "5"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "and fills a tool");

    // Every other record of Odense stays out of reach.
    let other_course: Uuid = app
        .scalar(&format!(
            "SELECT c.id FROM courses c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Odense' AND c.id <> '{course}' LIMIT 1"
        ))
        .await;
    assert_eq!(
        mentor.get(&format!("/forloeb/{other_course}")).await.status,
        404
    );
    let odense_citizen: Uuid = app
        .scalar(&format!(
            "SELECT p.citizen_id FROM course_participants p WHERE p.course_id = '{course}'"
        ))
        .await;
    assert_eq!(
        mentor
            .get(&format!("/borgere/{odense_citizen}"))
            .await
            .status,
        403,
        "mentors have no citizen pages at all"
    );
    let own_list = mentor.get("/forloeb").await.text;
    assert!(
        !own_list.contains(&other_course.to_string()),
        "the course list shows no other Odense course"
    );

    // The hours count against the loan; ending it ends the access and settles.
    let page = odense.get(&format!("/udlaan/{loan}")).await;
    assert_eq!(page.text_of("#hours-logged"), "1,5");
    let v = version(&app, loan).await;
    let ended = aarhus
        .post(&format!("/udlaan/{loan}/afslut"), &[("version", &v)])
        .await;
    assert_eq!(ended.status, 303);
    assert_eq!(ended.location(), format!("/udlaan/{loan}/afregning"));
    assert_eq!(mentor.get(&format!("/forloeb/{course}")).await.status, 404);
    assert!(mentor.get("/").await.texts("#lent-courses li").is_empty());
    for side in [&odense, &aarhus, &national] {
        let statement = side.get(&format!("/udlaan/{loan}/afregning")).await;
        assert_eq!(statement.status, 200);
        assert_eq!(statement.text_of("#settled-hours"), "1,5");
        assert_eq!(statement.text_of("#settled-amount"), "600,00 kr.");
    }

    // Every step is in both municipalities' audit logs.
    for municipality in ["Odense", "Aarhus"] {
        let steps: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT DISTINCT a.action FROM audit_log a JOIN municipalities m ON m.id = a.municipality_id
             WHERE m.name = '{municipality}' AND a.subject_id = '{loan}'"
        ))
        .fetch_all(&mut app.owner_conn().await)
        .await
        .unwrap();
        let steps: Vec<&str> = steps.iter().map(|(s,)| s.as_str()).collect();
        for step in [
            "loan_forwarded",
            "loan_agreed",
            "loan_assigned",
            "loan_ended",
        ] {
            assert!(
                steps.contains(&step),
                "{municipality} logged {step}: {steps:?}"
            );
        }
    }
    let session_read_in_odense: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM audit_log a JOIN municipalities m ON m.id = a.municipality_id
             WHERE m.name = 'Odense' AND a.subject_id = '{course}' AND a.actor_id =
               (SELECT id FROM users WHERE email = 'mentor.aarhus@example.org')"
        ))
        .await;
    assert!(
        session_read_in_odense > 0,
        "the lent mentor's reads and writes are in Odense's log"
    );
}

#[tokio::test]
async fn a_fully_occupied_member_cannot_be_lent_and_a_decline_needs_a_reason() {
    let app = TestApp::spawn().await;
    let odense = app.login("koordinator.odense@example.org").await;
    let national = app.login("national@example.org").await;
    let aarhus = app.login("koordinator.aarhus@example.org").await;
    let course = waiting_course(&app).await;
    let loan = request(&app, &odense, course).await;
    let aarhus_id = app.municipality_id("Aarhus").await;
    let v = version(&app, loan).await;
    national
        .post(
            &format!("/udlaan/{loan}/videresend"),
            &[("version", &v), ("municipality", &aarhus_id.to_string())],
        )
        .await;
    // Peter Skov's places are all taken: his capacity is his load.
    let full: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.name = 'Peter Skov'",
        )
        .await;
    sqlx::query(
        "UPDATE corps_members cm SET capacity = (SELECT count(*) FROM courses c WHERE c.member_id = cm.id
           AND c.state IN ('matched', 'pre_meeting', 'active', 'ending')) WHERE cm.id = $1",
    )
    .bind(full)
    .execute(&mut app.owner_conn().await)
    .await
    .unwrap();
    let v = version(&app, loan).await;
    let refused = aarhus
        .post(
            &format!("/udlaan/{loan}/accepter"),
            &[
                ("version", &v),
                ("member", &full.to_string()),
                ("rate", "350"),
                ("pays", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("member"),
        "Vedkommende er fuldt optaget og kan ikke lånes ud."
    );
    let no_reason = aarhus
        .post(
            &format!("/udlaan/{loan}/afvis"),
            &[("version", &v), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.field_error("reason"), "Skriv en begrundelse.");
    let declined = aarhus
        .post(
            &format!("/udlaan/{loan}/afvis"),
            &[
                ("version", &v),
                ("reason", "Ingen ledige mentorer før januar."),
            ],
        )
        .await;
    assert_eq!(declined.status, 303);
    let page = odense.get(&format!("/udlaan/{loan}")).await;
    assert!(page.text.contains("Ingen ledige mentorer før januar."));
    assert!(page.text.contains("Afvist af kommunen"));
    // The national centre can forward it again.
    assert!(
        national
            .get(&format!("/udlaan/{loan}"))
            .await
            .has("form[action$='/videresend']")
    );
}

#[tokio::test]
async fn outsiders_get_404_and_the_request_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let odense = app.login("koordinator.odense@example.org").await;
    let aarhus = app.login("koordinator.aarhus@example.org").await;
    let course = waiting_course(&app).await;
    // Aarhus cannot ask for a loan for Odense's course.
    assert_eq!(
        aarhus
            .get(&format!("/forloeb/{course}/udlaan"))
            .await
            .status,
        404
    );
    let form = odense.get(&format!("/forloeb/{course}/udlaan")).await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let bad = odense
        .post(
            &format!("/forloeb/{course}/udlaan"),
            &[
                ("needs", "Kvindelig forældrecoach"),
                ("period_from", "01-01-2020"),
                ("period_to", "01-01-2019"),
                ("hours_per_week", "99"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.field_error("period_from"),
        "Perioden kan ikke begynde før i dag."
    );
    assert_eq!(
        bad.field_error("hours_per_week"),
        "Skriv et antal timer mellem 0,5 og 40."
    );
    assert_eq!(bad.text_of("#needs"), "Kvindelig forældrecoach");
    let loan = request(&app, &odense, course).await;
    // One loan under way per course: asking again shows the loan.
    let again = odense.get(&format!("/forloeb/{course}/udlaan")).await;
    assert_eq!(again.status, 303);
    assert_eq!(again.location(), format!("/udlaan/{loan}"));
    // Not forwarded to Aarhus: Aarhus sees nothing of it.
    assert_eq!(aarhus.get(&format!("/udlaan/{loan}")).await.status, 404);
    assert!(
        aarhus
            .get("/udlaan")
            .await
            .texts("#loans tbody tr")
            .iter()
            .all(|r| !r.contains("Odense"))
    );
    let mentor = app.login("mentor.odense@example.org").await;
    assert_eq!(mentor.get(&format!("/udlaan/{loan}")).await.status, 403);
}

/// Adds `n` withdrawn loans of Odense's (withdrawn: no limit of one per course).
async fn withdrawn_loans(app: &TestApp, n: i32) {
    let odense = app.municipality_id("Odense").await;
    sqlx::query(
        "INSERT INTO loans (id, municipality_id, course_id, kind, needs, period_from, period_to,
                            hours_per_week, state, requested_by)
         SELECT gen_random_uuid(), $1, c.id, 'mentor', 'Behov nr. ' || n, current_date,
                current_date + 30, 2, 'withdrawn', u.id
         FROM (SELECT id FROM courses WHERE municipality_id = $1 LIMIT 1) c,
              (SELECT id FROM users WHERE email = 'koordinator.odense@example.org') u,
              generate_series(1, $2) n",
    )
    .bind(odense)
    .bind(n)
    .execute(&mut app.owner_conn().await)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_loans_list_pages_through_every_loan_25_at_a_time() {
    let app = TestApp::spawn().await;
    let odense = app.login("koordinator.odense@example.org").await;
    // More than a page, and more than the 200 the list once stopped at.
    withdrawn_loans(&app, 230).await;
    let id = app.municipality_id("Odense").await;
    let visible: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM loans
             WHERE municipality_id = '{id}' OR lending_municipality_id = '{id}'"
        ))
        .await;
    assert!(visible > 230, "{visible}");

    let first = odense.get("/udlaan").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.texts("#loans tbody tr").len(), 25);
    assert_eq!(
        first.text_of(".list-summary"),
        format!("Viser 1–25 af {visible}")
    );
    assert!(first.has("nav.pagination"));
    // Every loan once, page after page; open ones first.
    let mut seen: Vec<String> = Vec::new();
    let mut states: Vec<String> = Vec::new();
    let mut page = first;
    let mut pages = 1;
    loop {
        let html = page.html();
        let links = scraper::Selector::parse("#loans tbody tr td:first-child a").unwrap();
        seen.extend(
            html.select(&links)
                .filter_map(|a| a.value().attr("href").map(String::from)),
        );
        states.extend(page.texts("#loans tbody tr td:nth-child(5)"));
        let Some(next) = page.attr("a.button-next", "href") else {
            break;
        };
        page = odense.get(&next).await;
        pages += 1;
    }
    assert_eq!(pages, (visible + 24) / 25);
    assert_eq!(seen.len() as i64, visible);
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "no loan twice");
    let under_way = |state: &String| {
        ["Anmodet", "Sendt videre", "Afvist af kommunen", "Aftalt"].contains(&state.as_str())
    };
    let done = states.iter().position(|s| !under_way(s)).unwrap();
    assert!(
        done > 0 && !states[done..].iter().any(under_way),
        "loans under way first: {states:?}"
    );

    // The filter pages too, and its links keep it.
    let filtered = odense.get("/udlaan?state=withdrawn&page=2").await;
    assert_eq!(filtered.texts("#loans tbody tr").len(), 25);
    assert_eq!(
        filtered.attr("a.button-next", "href").as_deref(),
        Some("/udlaan?state=withdrawn&page=3")
    );
    assert_eq!(
        filtered.attr("#state option[selected]", "value").as_deref(),
        Some("withdrawn")
    );
    // A page beyond the end (an old bookmark) is the last page.
    let last = odense.get("/udlaan?page=999").await;
    assert_eq!(
        last.text_of("nav.pagination a[aria-current=page]"),
        ((visible + 24) / 25).to_string()
    );
    assert_eq!(
        last.texts("#loans tbody tr").len() as i64,
        visible - (visible - 1) / 25 * 25
    );
}
