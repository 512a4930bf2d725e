//! A citizen's insight over HTTP: the access log lists exactly the reads and changes made
//! of that citizen (page, filters, CSV, PDF letter), the data extract holds every record
//! of the citizen and nothing of another, only the municipality's coordinators get them,
//! and the check of reads flags a member who read outside their courses and a burst.

use uuid::Uuid;

use crate::support::{Client, Page, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";
const MENTOR: &str = "mentor.aarhus@example.org";

/// Registers a mentee through the form and returns the citizen's id.
async fn register(client: &Client, name: &str) -> Uuid {
    let form = client.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = client
        .post(
            "/borgere",
            &[
                ("kind", "mentee"),
                ("name", name),
                ("birth_year", "2008"),
                ("gender", "female"),
                ("referred_on", "01-11-2026"),
                ("referral_source", "infohouse"),
                ("criteria", "signs_of_concern"),
                ("legal_basis", "social_services_act"),
                ("referred_by", &format!("Henvist af {name}")),
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

async fn exec(app: &TestApp, sql: &str, binds: &[Uuid]) {
    let mut conn = app.owner_conn().await;
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(bind);
    }
    query
        .execute(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
}

/// An active mentor course of `member`'s (an e-mail) with `citizen` taking part, titled
/// `title`; returns its id.
async fn seed_course(app: &TestApp, citizen: Uuid, member: &str, title: &str) -> Uuid {
    let course = Uuid::now_v7();
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "INSERT INTO courses (id, municipality_id, kind, title, member_id, state, referred_on, matched_on, started_on,
                              end_note, next_meeting_at, next_meeting_minutes, next_meeting_place)
         SELECT $1, cm.municipality_id, 'mentor', $2, cm.id, 'active', current_date - 30, current_date - 25,
                current_date - 20, $2 || ' slutnote', now() + interval '3 days', 60, $2 || ' mødested'
         FROM corps_members cm JOIN users u ON u.id = cm.user_id WHERE u.email = $3",
    )
    .bind(course)
    .bind(title)
    .bind(member)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on)
         SELECT $1, $2, municipality_id, current_date - 30 FROM courses WHERE id = $1",
    )
    .bind(course)
    .bind(citizen)
    .execute(&mut conn)
    .await
    .unwrap();
    course
}

fn rows(page: &Page) -> Vec<Vec<String>> {
    let html = page.html();
    let row = scraper::Selector::parse("table.korps-list tbody tr").unwrap();
    let cell = scraper::Selector::parse("td").unwrap();
    html.select(&row)
        .map(|tr| {
            tr.select(&cell)
                .map(|td| {
                    td.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

/// The (person, role, what) of each row of a citizen's access log page.
fn entries(page: &Page) -> Vec<(String, String, String)> {
    rows(page)
        .into_iter()
        .map(|cells| (cells[1].clone(), cells[2].clone(), cells[3].clone()))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether the letter shows `text` (Latin-1 here): a literal string when it is ASCII,
/// else the hex string of its WinAnsi bytes, as pdf-writer writes it.
fn shows(pdf: &[u8], text: &str) -> bool {
    let hex: String = text.chars().map(|c| format!("{:02X}", c as u32)).collect();
    contains(pdf, text.as_bytes()) || contains(pdf, hex.as_bytes())
}

#[tokio::test]
async fn the_access_log_lists_exactly_the_reads_and_changes_of_the_citizen() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    let citizen = register(&coordinator, "Åse Ærø Østergård").await;
    let other = register(&coordinator, "Bo Anden").await;
    assert_eq!(
        coordinator.get(&format!("/borgere/{citizen}")).await.status,
        200
    );
    let consent = coordinator
        .post(
            &format!("/borgere/{citizen}/samtykker"),
            &[
                ("consent-kind", "participation"),
                ("consent-given_by", "citizen"),
                ("consent-given_on", "02-11-2026"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(consent.status, 303, "{}", consent.text);
    assert_eq!(
        coordinator.get(&format!("/borgere/{other}")).await.status,
        200
    );

    let course = seed_course(&app, citizen, MENTOR, "Adgangstest").await;
    let short = &course.to_string()[..8];
    let mentor = app.login(MENTOR).await;
    assert_eq!(mentor.get(&format!("/forloeb/{course}")).await.status, 200);
    // The session form shows the course too.
    let form = mentor.get(&format!("/forloeb/{course}/sessioner/ny")).await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let today = form.attr("#held_on", "value").unwrap();
    let logged = mentor
        .post(
            &format!("/forloeb/{course}/sessioner"),
            &[
                ("held_on", today.as_str()),
                ("duration_minutes", "60"),
                ("kind", "session"),
                ("participants", "Mentee"),
                ("notes", "Talte om skolen."),
                ("next_step", "Ny aftale"),
                ("form_key", key.as_str()),
            ],
        )
        .await;
    assert_eq!(logged.status, 303, "{}", logged.text);

    let path = format!("/borgere/{citizen}/adgangslog");
    let page = coordinator.get(&path).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.text_of("h1"),
        "Hvem har set eller ændret oplysningerne"
    );
    let (mette, ahmad) = ("Mette Lund".to_string(), "Ahmad Rahimi".to_string());
    let (coordinator_role, mentor_role) = ("Koordinator".to_string(), "Mentor".to_string());
    assert_eq!(
        entries(&page),
        vec![
            (
                ahmad.clone(),
                mentor_role.clone(),
                format!("Session registreret · forløb {short}")
            ),
            (
                ahmad.clone(),
                mentor_role.clone(),
                format!("Forløb vist · forløb {short}")
            ),
            (
                ahmad.clone(),
                mentor_role.clone(),
                format!("Forløb vist · forløb {short}")
            ),
            (
                mette.clone(),
                coordinator_role.clone(),
                "Samtykke registreret".into()
            ),
            (
                mette.clone(),
                coordinator_role.clone(),
                "Borger vist".into()
            ),
            (
                mette.clone(),
                coordinator_role.clone(),
                "Borger registreret".into()
            ),
        ],
        "newest first, nothing of the other citizen"
    );
    for cells in rows(&page) {
        assert_eq!(cells[4], "127.0.0.1", "the address: {cells:?}");
        assert!(
            cells[0].len() == 19 && cells[0].contains(':'),
            "the time in Danish form: {cells:?}"
        );
    }
    assert_eq!(
        page.attr("a[href$='adgangslog.csv']", "href").as_deref(),
        Some(format!("/borgere/{citizen}/adgangslog.csv").as_str())
    );
    assert!(page.has("button[data-korps-print]"), "a print button");

    // Viewing the log is itself in the log, as a read of the citizen.
    let again = coordinator.get(&path).await;
    assert_eq!(
        entries(&again)[0],
        (
            mette.clone(),
            coordinator_role.clone(),
            "Borgerens adgangslog vist · side 1".into()
        ),
        "with the page of the list it showed"
    );

    // Filters: changes only; the mentor's reads only; whole Danish days.
    let changes = coordinator.get(&format!("{path}?kind=change")).await;
    let whats: Vec<String> = entries(&changes).into_iter().map(|e| e.2).collect();
    assert_eq!(
        whats,
        vec![
            format!("Session registreret · forløb {short}"),
            "Samtykke registreret".into(),
            "Borger registreret".into()
        ]
    );
    let mentor_id = app.user_id(MENTOR).await;
    let mentor_reads = coordinator
        .get(&format!("{path}?kind=read&actor={mentor_id}"))
        .await;
    // The course page and the session form each showed the course.
    let read = (
        ahmad.clone(),
        mentor_role.clone(),
        format!("Forløb vist · forløb {short}"),
    );
    assert_eq!(entries(&mentor_reads), vec![read.clone(), read]);
    let today = korps::clock::today();
    let day = |offset: i64| korps::clock::format_date(today + time::Duration::days(offset));
    let from_today = coordinator
        .get(&format!("{path}?kind=change&from={}&to={}", day(0), day(0)))
        .await;
    assert_eq!(entries(&from_today).len(), 3);
    let tomorrow = coordinator.get(&format!("{path}?from={}", day(1))).await;
    assert!(entries(&tomorrow).is_empty());
    assert!(
        tomorrow
            .text
            .contains("Ingen opslag eller ændringer passer til filtrene.")
    );
    let yesterday = coordinator.get(&format!("{path}?to={}", day(-1))).await;
    assert!(entries(&yesterday).is_empty());
    let unreadable = coordinator.get(&format!("{path}?from=1/11")).await;
    assert!(!unreadable.field_error("from").is_empty());

    // The other citizen's log has only what was done to them.
    let theirs = coordinator
        .get(&format!("/borgere/{other}/adgangslog"))
        .await;
    assert_eq!(
        entries(&theirs)
            .into_iter()
            .map(|e| e.2)
            .collect::<Vec<_>>(),
        vec!["Borger vist".to_string(), "Borger registreret".to_string()]
    );

    // CSV: Danish headings and values; the file is named by the id, not the name.
    let (status, headers, bytes) = coordinator
        .get_bytes(&format!("{path}.csv?kind=change"))
        .await;
    assert_eq!(status, 200);
    let disposition = headers["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains(&citizen.to_string()), "{disposition}");
    assert!(!disposition.contains("Åse") && !disposition.contains("Ase"));
    let csv = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Tidspunkt;Person;Rolle;Hvad;Adresse");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].contains("Ahmad Rahimi;Mentor;Session registreret"),
        "{csv}"
    );
    assert!(
        lines[2].contains("Mette Lund;Koordinator;Samtykke registreret;127.0.0.1"),
        "{csv}"
    );
    assert!(lines[3].contains("Borger registreret"), "{csv}");

    // The letter: a PDF with the entries, æøå in WinAnsi, named by the id.
    let (status, headers, pdf) = coordinator.get_bytes(&format!("{path}.pdf")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(&citizen.to_string()), "{disposition}");
    for text in [
        "Til: Åse Ærø Østergård",
        "Aarhus",
        "artikel 15",
        "Session registreret",
        "Samtykke registreret",
        "Borger registreret",
        "Ahmad Rahimi",
        "Mette Lund",
        "Borgerens adgangslog hentet som CSV",
    ] {
        assert!(shows(&pdf, text), "the letter holds “{text}”");
    }
    assert!(!shows(&pdf, "Bo Anden"), "nothing of the other citizen");

    // Both downloads are in the log (a page shows what came before its own view).
    let last = coordinator.get(&path).await;
    let whats: Vec<String> = entries(&last).into_iter().map(|e| e.2).collect();
    assert_eq!(
        whats[..3],
        [
            "Indsigtsbrev om adgangsloggen hentet (PDF)".to_string(),
            "Borgerens adgangslog hentet som CSV".into(),
            "Borgerens adgangslog vist · side 1".into(),
        ]
    );
    let named: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM audit_log WHERE citizen_id = '{citizen}'
               AND action IN ('citizen_access_log_read', 'citizen_access_log_exported', 'citizen_access_letter_made')"
        ))
        .await;
    assert!(named >= 5, "each names the citizen: {named}");
}

#[tokio::test]
async fn only_the_municipalitys_coordinators_get_a_citizens_insight() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    let citizen = register(&coordinator, "Ida Indsigt").await;
    let paths = [
        format!("/borgere/{citizen}/adgangslog"),
        format!("/borgere/{citizen}/adgangslog.csv"),
        format!("/borgere/{citizen}/adgangslog.pdf"),
        format!("/borgere/{citizen}/udtraek"),
        format!("/borgere/{citizen}/udtraek.json"),
    ];
    for path in &paths {
        assert_eq!(coordinator.get(path).await.status, 200, "{path}");
    }
    assert_eq!(coordinator.get("/adgangskontrol").await.status, 200);
    let mentor = app.login(MENTOR).await;
    let national = app.login("national@example.org").await;
    for path in paths.iter().chain([&"/adgangskontrol".to_string()]) {
        assert_eq!(mentor.get(path).await.status, 403, "mentor: {path}");
        assert_eq!(national.get(path).await.status, 403, "national: {path}");
    }
    let odense = app.login("koordinator.odense@example.org").await;
    for path in &paths {
        assert_eq!(
            odense.get(path).await.status,
            404,
            "another municipality: {path}"
        );
    }
    let unknown = Uuid::now_v7();
    assert_eq!(
        coordinator
            .get(&format!("/borgere/{unknown}/udtraek"))
            .await
            .status,
        404
    );
}

/// Gives `citizen` (a mentee of Aarhus) a record in every table, each with a text made
/// of `mark`: a relative, a conflict, a course with an event, a session with an earlier
/// version, a tool answer and a measurement.
async fn seed_everything(app: &TestApp, citizen: Uuid, mark: &str) -> Uuid {
    let course = seed_course(app, citizen, MENTOR, &format!("Forløb {mark}")).await;
    let mut conn = app.owner_conn().await;
    let sql = [
        "INSERT INTO consents (id, municipality_id, citizen_id, kind, given_by, given_on, withdrawn_on, recorded_by)
         SELECT gen_random_uuid(), c.municipality_id, c.id, 'evaluation', 'guardian', DATE '2026-10-03', DATE '2026-10-13',
                (SELECT id FROM users WHERE email = 'koordinator.aarhus@example.org')
         FROM citizens c WHERE c.id = $1",
        "WITH r AS (
             INSERT INTO citizens (id, municipality_id, kind, name, referred_on, referral_source, criteria, legal_basis)
             SELECT gen_random_uuid(), municipality_id, 'relative', 'Mor ' || $2, current_date, 'family',
                    ARRAY['relative_of_concern'], 'social_services_act' FROM citizens WHERE id = $1
             RETURNING id, municipality_id)
         INSERT INTO citizen_relations (id, municipality_id, mentee_id, relative_id, relation)
         SELECT gen_random_uuid(), r.municipality_id, $1, r.id, 'mother' FROM r",
        "INSERT INTO course_events (id, municipality_id, course_id, kind, from_state, to_state, note, actor_id)
         SELECT gen_random_uuid(), municipality_id, id, 'extended', NULL, NULL, 'Hændelse ' || $2,
                (SELECT id FROM users WHERE email = 'koordinator.aarhus@example.org')
         FROM courses WHERE id = $3",
        "WITH s AS (
             INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind, participants,
                                          notes, tools, next_step, logged_by, version)
             SELECT gen_random_uuid(), municipality_id, id, current_date - 3, 75, 'session', 'Deltagere ' || $2,
                    'Note ' || $2, ARRAY['development_plan'], 'Skridt ' || $2,
                    (SELECT id FROM users WHERE email = 'mentor.aarhus@example.org'), 2
             FROM courses WHERE id = $3 RETURNING id, municipality_id, logged_by)
         INSERT INTO course_session_versions (id, municipality_id, session_id, version, held_on, duration_minutes, kind,
                                              participants, notes, tools, next_step, changed_by)
         SELECT gen_random_uuid(), s.municipality_id, s.id, 1, current_date - 4, 60, 'session', '',
                'Tidligere ' || $2, '{}', '', s.logged_by FROM s",
        "WITH t AS (
             INSERT INTO tool_answers (id, municipality_id, course_id, tool, version, answers, filled_on, filled_by)
             SELECT gen_random_uuid(), municipality_id, id, 'risk_assessment', 1,
                    jsonb_build_object('worry_1', 'Bekymret ' || $2, 'scale_mentor', 4),
                    current_date - 2, (SELECT id FROM users WHERE email = 'mentor.aarhus@example.org')
             FROM courses WHERE id = $3 RETURNING id, municipality_id, course_id)
         INSERT INTO measurements (id, municipality_id, course_id, answer_id, kind, value, measured_on)
         SELECT gen_random_uuid(), t.municipality_id, t.course_id, t.id, 'risk_mentor', 4, current_date - 2 FROM t",
        "INSERT INTO member_conflicts (id, municipality_id, citizen_id, member_id, reason, recorded_by)
         SELECT gen_random_uuid(), c.municipality_id, c.id, cm.id, 'prior_contact',
                (SELECT id FROM users WHERE email = 'koordinator.aarhus@example.org')
         FROM citizens c, corps_members cm JOIN users u ON u.id = cm.user_id
         WHERE c.id = $1 AND u.email = 'coach.aarhus@example.org'",
    ];
    for statement in sql {
        sqlx::query(statement)
            .bind(citizen)
            .bind(mark)
            .bind(course)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }
    course
}

#[tokio::test]
async fn the_extract_holds_every_record_of_the_citizen_and_nothing_of_another() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    let citizen = register(&coordinator, "Alma Udtræk").await;
    let other = register(&coordinator, "Bent Anden").await;
    let course = seed_everything(&app, citizen, "ALFA-ÆØÅ").await;
    seed_everything(&app, other, "BETA").await;
    // The member's own notes are the member's, not the citizen's.
    exec(
        &app,
        "UPDATE corps_members SET notes = 'Medlemsnote SKJULT'
         WHERE user_id IN (SELECT id FROM users WHERE email IN ('coach.aarhus@example.org', 'mentor.aarhus@example.org'))",
        &[],
    )
    .await;

    let marks = [
        "Alma Udtræk",
        "Henvist af Alma Udtræk",
        "Mor ALFA-ÆØÅ",
        "Forløb ALFA-ÆØÅ",
        "Forløb ALFA-ÆØÅ slutnote",
        "Forløb ALFA-ÆØÅ mødested",
        "Hændelse ALFA-ÆØÅ",
        "Deltagere ALFA-ÆØÅ",
        "Note ALFA-ÆØÅ",
        "Skridt ALFA-ÆØÅ",
        "Tidligere ALFA-ÆØÅ",
        "Bekymret ALFA-ÆØÅ",
    ];
    let page = coordinator
        .get(&format!("/borgere/{citizen}/udtraek"))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text_of("h1"), "Dataudtræk");
    let text = page.text.replace("&#x27;", "'");
    for mark in marks {
        assert!(text.contains(mark), "the extract page holds “{mark}”");
    }
    for label in [
        "Bekymring 1",
        "Risikovurdering, mentorens skalering",
        "Den nationale evaluering",
        "Forældremyndighedsindehaver",
        "Tidligere kontakt",
        "Susanne Holm",
        "Forlænget",
    ] {
        assert!(text.contains(label), "with its labels: “{label}”");
    }
    assert!(
        !text.contains("BETA") && !text.contains("Bent Anden"),
        "nothing of another citizen"
    );
    assert!(
        !text.contains("Medlemsnote"),
        "nothing of the members' own notes"
    );

    let (status, headers, bytes) = coordinator
        .get_bytes(&format!("/borgere/{citizen}/udtraek.json"))
        .await;
    assert_eq!(status, 200);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(&citizen.to_string()) && !disposition.contains("Alma"));
    let json = String::from_utf8(bytes).unwrap();
    for mark in marks {
        assert!(json.contains(mark), "the JSON holds “{mark}”");
    }
    assert!(
        !json.contains("BETA") && !json.contains("Bent Anden") && !json.contains("Medlemsnote")
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "korps-dataudtraek/1");
    assert_eq!(value["citizen"]["id"], citizen.to_string());
    assert_eq!(value["consents"][0]["kind"]["code"], "evaluation");
    assert_eq!(value["consents"][0]["withdrawn_on"], "2026-10-13");
    assert_eq!(value["relations"][0]["relation"]["code"], "mother");
    assert_eq!(value["conflicts"][0]["member"], "Susanne Holm");
    let courses = value["courses"].as_array().unwrap();
    assert_eq!(courses.len(), 1);
    let c = &courses[0];
    assert_eq!(c["id"], course.to_string());
    assert_eq!(c["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        c["sessions"][0]["earlier_versions"][0]["notes"],
        "Tidligere ALFA-ÆØÅ"
    );
    assert_eq!(c["tools"][0]["answers"][0]["question"], "Bekymring 1");
    assert_eq!(c["measurements"][0]["value"], 4.0);
    assert!(c["next_meeting"]["at"].is_string());
    assert_eq!(value["attachments"], serde_json::json!([]));

    // Both are in the citizen's access log.
    let log = coordinator
        .get(&format!("/borgere/{citizen}/adgangslog"))
        .await;
    let whats: Vec<String> = entries(&log).into_iter().map(|e| e.2).collect();
    assert_eq!(
        whats[..2],
        [
            "Dataudtræk hentet som JSON".to_string(),
            "Dataudtræk vist".to_string()
        ]
    );
}

#[tokio::test]
async fn the_check_flags_reads_outside_own_courses_and_bursts() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    let outsider = register(&coordinator, "Uden Forløb").await;
    let page = coordinator.get("/adgangskontrol").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text
            .contains("Ingen. Mentorer og coaches har kun set borgere i deres egne forløb.")
    );
    assert!(
        page.text
            .contains("Ingen dage med usædvanligt mange opslag.")
    );

    let own_course_citizen: Uuid = app
        .scalar(&format!(
            "SELECT p.citizen_id FROM course_participants p JOIN courses c ON c.id = p.course_id
             JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
             WHERE u.email = '{MENTOR}' LIMIT 1"
        ))
        .await;
    let aarhus = app.municipality_id("Aarhus").await;
    let mentor = app.user_id(MENTOR).await;
    let coordinator_id = app.user_id(COORDINATOR).await;
    // The mentor read a citizen of their own course (fine) and one outside (flagged); the
    // coordinator read the outsider (fine).
    for (actor, citizen) in [
        (mentor, own_course_citizen),
        (mentor, outsider),
        (coordinator_id, outsider),
    ] {
        exec(
            &app,
            "INSERT INTO audit_log (id, municipality_id, actor_id, action, subject_type, subject_id, citizen_id, client_addr)
             VALUES (gen_random_uuid(), $1, $2, 'citizen_read', 'citizen', $3, $3, '10.0.0.7')",
            &[aarhus, actor, citizen],
        )
        .await;
    }
    // The coordinator usually sees two citizens a day; today 25.
    exec(
        &app,
        "INSERT INTO audit_log (id, at, municipality_id, actor_id, action, citizen_id)
         SELECT gen_random_uuid(), now() - make_interval(days => d), $1, $2, 'course_read', gen_random_uuid()
         FROM generate_series(1, 6) d, generate_series(1, 2)",
        &[aarhus, coordinator_id],
    )
    .await;
    exec(
        &app,
        "INSERT INTO audit_log (id, municipality_id, actor_id, action, citizen_id)
         SELECT gen_random_uuid(), $1, $2, 'citizen_list_read', gen_random_uuid() FROM generate_series(1, 24)",
        &[aarhus, coordinator_id],
    )
    .await;

    let page = coordinator.get("/adgangskontrol").await;
    let outside = page.texts("#outside tbody tr");
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert!(outside[0].contains("Ahmad Rahimi") && outside[0].contains("Borger vist"));
    assert_eq!(
        page.attr("#outside tbody a", "href"),
        Some(format!("/borgere/{outsider}/adgangslog"))
    );
    let unusual = page.texts("#unusual tbody tr");
    assert_eq!(unusual.len(), 1, "{unusual:?}");
    assert!(
        unusual[0].contains("Mette Lund")
            && unusual[0].contains(" 25 ")
            && unusual[0].ends_with("2,0"),
        "{unusual:?}"
    );
    let checked: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'access_check_read'")
        .await;
    assert_eq!(checked, 2, "each view of the check is in the log");
    // Nothing here is anyone else's business: Odense sees none of it.
    let odense = app.login("koordinator.odense@example.org").await;
    let theirs = odense.get("/adgangskontrol").await;
    assert!(
        theirs.texts("#outside tbody tr").is_empty()
            && theirs.texts("#unusual tbody tr").is_empty()
    );
}
