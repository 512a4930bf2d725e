//! Training and the corps: national staff create cohorts with modules; approved
//! municipalities nominate within their seats (also when two race for the last one);
//! attendance of every module makes a member trained; the member's page shows the
//! history; the national roster shows the corps without citizen data; corps events.
//!
//! The demo's past training round approved Aarhus (2 mentor, 2 parent-coach seats) and
//! København with partner Høje-Taastrup (4 mentor seats, shared); its two demo cohorts
//! use Aarhus's 2 mentor seats and 1 parent-coach seat, and 3 of København's 4.

use korps::db::Scope;
use uuid::Uuid;

use crate::support::{Client, Page, TestApp};

const NATIONAL: &str = "national@example.org";
const AARHUS: &str = "koordinator.aarhus@example.org";
const ODENSE: &str = "koordinator.odense@example.org";
const KOBENHAVN: &str = "koordinator.kobenhavn@example.org";
const HOJE_TAASTRUP: &str = "koordinator.hoje-taastrup@example.org";

fn id_after(location: &str, prefix: &str) -> Uuid {
    let rest = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"));
    Uuid::parse_str(rest.split(['/', '?', '#']).next().unwrap()).unwrap()
}

async fn past_round(app: &TestApp) -> Uuid {
    app.scalar(
        "SELECT id FROM application_rounds WHERE kind = 'training' AND state = 'closed'
         ORDER BY deadline DESC LIMIT 1",
    )
    .await
}

/// National staff create a cohort of the past round with a joint intro day, a mentor
/// module and a parent-coach module (all held already); returns the cohort and modules.
async fn cohort_with_modules(app: &TestApp, national: &Client) -> (Uuid, [Uuid; 3]) {
    let round = past_round(app).await.to_string();
    let form = national.get("/uddannelse/hold/ny").await;
    assert_eq!(form.status, 200);
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = national
        .post(
            "/uddannelse/hold",
            &[
                ("name", "Hold 3, forår"),
                ("round_id", &round),
                ("mentor_seats", "25"),
                ("parent_coach_seats", "25"),
                ("coordinator_seats", "0"),
                ("corps_until", "31-12-2030"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let cohort = id_after(&created.location(), "/uddannelse/hold/");
    // The same form sent again (a double click) makes no second cohort.
    let again = national
        .post(
            "/uddannelse/hold",
            &[
                ("name", "Hold 3, forår"),
                ("round_id", &round),
                ("mentor_seats", "25"),
                ("corps_until", "31-12-2030"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(again.location(), created.location());
    let cohorts: i64 = app
        .scalar("SELECT count(*) FROM training_cohorts WHERE name = 'Hold 3, forår'")
        .await;
    assert_eq!(cohorts, 1);

    let mut modules = [Uuid::nil(); 3];
    // Ahead of today, so the cohort takes nominations.
    let (intro, mentor_first, mentor_last, coach_first, coach_last) =
        (day(10), day(20), day(21), day(30), day(31));
    let specs: [(&str, &str, &str, &[&str]); 3] = [
        (
            "Modul 1 – Fælles introdag",
            &intro,
            "",
            &["mentor", "parent_coach"],
        ),
        ("Modul 2 – Mentor", &mentor_first, &mentor_last, &["mentor"]),
        (
            "Modul 2 – Forældrecoach",
            &coach_first,
            &coach_last,
            &["parent_coach"],
        ),
    ];
    for (i, (title, starts, ends, programmes)) in specs.iter().enumerate() {
        let form = national
            .get(&format!("/uddannelse/hold/{cohort}/moduler/ny"))
            .await;
        let key = form.attr("input[name=form_key]", "value").unwrap();
        let mut fields = vec![
            ("title", *title),
            ("starts_on", *starts),
            ("ends_on", *ends),
            ("place", "Kolding"),
            ("form_key", key.as_str()),
        ];
        for p in *programmes {
            fields.push(("programmes", p));
        }
        let added = national
            .post(&format!("/uddannelse/hold/{cohort}/moduler"), &fields)
            .await;
        assert_eq!(added.status, 303, "{}", added.text);
        modules[i] = app
            .scalar(&format!(
                "SELECT id FROM training_modules WHERE cohort_id = '{cohort}' AND title = '{title}'"
            ))
            .await;
    }
    let page = national.get(&format!("/uddannelse/hold/{cohort}")).await;
    assert_eq!(
        page.texts("#modules tbody tr td:first-child"),
        vec![
            "Modul 1 – Fælles introdag",
            "Modul 2 – Mentor",
            "Modul 2 – Forældrecoach"
        ]
    );
    (cohort, modules)
}

/// Today plus `days`, as users write dates.
fn day(days: i64) -> String {
    korps::clock::format_date(korps::clock::today() + time::Duration::days(days))
}

async fn user(app: &TestApp, email: &str) -> String {
    app.user_id(email).await.to_string()
}

/// The coordinator creates a new parent-coach account (untrained) through the staff
/// pages, as the nomination form's link suggests; returns its user id.
async fn new_parent_coach(coordinator: &Client, name: &str, email: &str) -> String {
    let form = coordinator.get("/medarbejdere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", name),
                ("email", email),
                ("roles", "parent_coach"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    id_after(&created.location(), "/medarbejdere/").to_string()
}

async fn nominate(coordinator: &Client, cohort: Uuid, user_id: &str, programme: &str) -> Page {
    let page = coordinator.get(&format!("/uddannelse/hold/{cohort}")).await;
    let key = page
        .attr("input[name=form_key]", "value")
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    coordinator
        .post(
            &format!("/uddannelse/hold/{cohort}/indstillinger"),
            &[
                ("user_id", user_id),
                ("programme", programme),
                ("form_key", &key),
            ],
        )
        .await
}

async fn member_status(app: &TestApp, email: &str) -> String {
    app.scalar(&format!(
        "SELECT cm.training_status FROM corps_members cm JOIN users u ON u.id = cm.user_id
         WHERE u.email = '{email}'"
    ))
    .await
}

#[tokio::test]
async fn a_coordinator_nominates_up_to_the_seats_and_the_next_is_refused_in_danish() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let (cohort, _) = cohort_with_modules(&app, &national).await;
    let aarhus = app.login(AARHUS).await;

    let page = aarhus.get(&format!("/uddannelse/hold/{cohort}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts("#seats tbody tr"),
        vec!["Mentoruddannelse 25 0 0", "Forældrecoachuddannelse 25 0 1"],
        "Aarhus has used both mentor seats and one of two parent-coach seats"
    );
    let maja = new_parent_coach(&aarhus, "Maja Berg", "maja.berg@aarhus.dk").await;
    let nominated = nominate(&aarhus, cohort, &maja, "parent_coach").await;
    assert_eq!(nominated.status, 303, "{}", nominated.text);
    let page = aarhus.follow(&nominated.location()).await;
    assert!(
        page.text_of(".alert-success")
            .contains("Maja Berg er indstillet"),
        "{}",
        page.text_of("main")
    );
    assert_eq!(
        page.texts("#participants tbody tr td:first-child"),
        vec!["Maja Berg"]
    );
    assert_eq!(
        member_status(&app, "maja.berg@aarhus.dk").await,
        "in_training"
    );

    // The seats are used: the next parent coach is refused, next to the field, in Danish.
    let amira = user(&app, "amira.hassan@example.org").await;
    let refused = nominate(&aarhus, cohort, &amira, "parent_coach").await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("programme"),
        "Der er ikke flere ledige pladser på forældrecoachuddannelse for jeres kommune. Pladser tildelt i jeres ansøgning: 2."
    );
    assert_eq!(
        refused
            .attr("#user_id option[selected]", "value")
            .as_deref(),
        Some(amira.as_str()),
        "the choice is kept"
    );
    let nominations: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM training_nominations WHERE cohort_id = '{cohort}'"
        ))
        .await;
    assert_eq!(nominations, 1);
    assert_eq!(
        member_status(&app, "amira.hassan@example.org").await,
        "trained",
        "a refused nomination changes nothing"
    );
    let logged: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'training_nominated'")
        .await;
    assert_eq!(logged, 1);

    // The start page no longer offers the cohort.
    let start = aarhus.get("/").await;
    assert!(!start.text_of("#open-seats").contains("Hold 3, forår"));
    assert!(start.text_of("#nominee-modules").contains("Maja Berg"));
}

#[tokio::test]
async fn two_municipalities_of_a_joint_application_race_for_the_last_seat_and_one_wins() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let (cohort, _) = cohort_with_modules(&app, &national).await;
    let kobenhavn = app.login(KOBENHAVN).await;
    let hoje_taastrup = app.login(HOJE_TAASTRUP).await;
    // Both see the one shared mentor seat left.
    for client in [&kobenhavn, &hoje_taastrup] {
        let page = client.get(&format!("/uddannelse/hold/{cohort}")).await;
        assert_eq!(
            page.texts("#seats tbody tr").first().map(String::as_str),
            Some("Mentoruddannelse 25 0 1")
        );
    }
    let mikkel = user(&app, "mikkel.bach@example.org").await;
    let signe = user(&app, "signe.lauridsen@example.org").await;
    let (a, b) = tokio::join!(
        nominate(&kobenhavn, cohort, &mikkel, "mentor"),
        nominate(&hoje_taastrup, cohort, &signe, "mentor"),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [303, 422],
        "one wins the last seat, one is refused"
    );
    let refused = if a.status == 422 { &a } else { &b };
    assert!(
        refused
            .field_error("programme")
            .starts_with("Der er ikke flere ledige pladser på mentoruddannelse"),
        "{}",
        refused.field_error("programme")
    );
    let nominations: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM training_nominations WHERE cohort_id = '{cohort}'"
        ))
        .await;
    assert_eq!(nominations, 1);
}

#[tokio::test]
async fn a_municipality_without_an_approved_application_cannot_nominate() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let (cohort, _) = cohort_with_modules(&app, &national).await;
    let odense = app.login(ODENSE).await;
    let page = odense.get(&format!("/uddannelse/hold/{cohort}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text_of("#not-approved").contains("har ikke tilsagn"));
    assert!(!page.has("select#user_id"), "no nomination form");
    let fatima = user(&app, "mentor.odense@example.org").await;
    let refused = nominate(&odense, cohort, &fatima, "mentor").await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text_of("#not-approved")
            .contains("har ikke tilsagn")
    );
    let nominations: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM training_nominations WHERE cohort_id = '{cohort}'"
        ))
        .await;
    assert_eq!(nominations, 0);
}

#[tokio::test]
async fn another_municipalitys_nomination_and_staff_are_not_found() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let (cohort, _) = cohort_with_modules(&app, &national).await;
    let aarhus = app.login(AARHUS).await;
    let maja = new_parent_coach(&aarhus, "Maja Berg", "maja.berg@aarhus.dk").await;
    assert_eq!(
        nominate(&aarhus, cohort, &maja, "parent_coach")
            .await
            .status,
        303
    );
    let nomination: Uuid = app
        .scalar(&format!(
            "SELECT id FROM training_nominations WHERE cohort_id = '{cohort}'"
        ))
        .await;
    let odense = app.login(ODENSE).await;
    let page = odense
        .post(
            &format!("/uddannelse/indstillinger/{nomination}/tilbagetraek"),
            &[],
        )
        .await;
    assert_eq!(page.status, 404);
    let withdrawn: Option<time::OffsetDateTime> = app
        .scalar(&format!(
            "SELECT withdrawn_at FROM training_nominations WHERE id = '{nomination}'"
        ))
        .await;
    assert!(withdrawn.is_none());
    // Nominating another municipality's staff member: 404 too.
    let fatima = user(&app, "mentor.odense@example.org").await;
    assert_eq!(
        nominate(&aarhus, cohort, &fatima, "mentor").await.status,
        404
    );
    // The coordinator's own withdrawal works and is logged.
    let page = aarhus
        .post(
            &format!("/uddannelse/indstillinger/{nomination}/tilbagetraek"),
            &[],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(
        member_status(&app, "maja.berg@aarhus.dk").await,
        "untrained"
    );
}

/// Posts attendance without opening the form first.
async fn record_raw(national: &Client, cohort: Uuid, module: Uuid, present: &[&str]) -> Page {
    let fields: Vec<(&str, &str)> = present.iter().map(|id| ("present", *id)).collect();
    national
        .post(
            &format!("/uddannelse/hold/{cohort}/moduler/{module}"),
            &fields,
        )
        .await
}

async fn record(national: &Client, cohort: Uuid, module: Uuid, present: &[&str]) -> Page {
    let form = national
        .get(&format!("/uddannelse/hold/{cohort}/moduler/{module}"))
        .await;
    assert_eq!(form.status, 200);
    let fields: Vec<(&str, &str)> = present.iter().map(|id| ("present", *id)).collect();
    national
        .post(
            &format!("/uddannelse/hold/{cohort}/moduler/{module}"),
            &fields,
        )
        .await
}

#[tokio::test]
async fn attending_every_module_trains_the_member_and_missing_one_does_not() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let (cohort, [intro, mentor_module, coach_module]) = cohort_with_modules(&app, &national).await;
    let kobenhavn = app.login(KOBENHAVN).await;
    let aarhus = app.login(AARHUS).await;
    let mikkel = user(&app, "mikkel.bach@example.org").await;
    let maja = new_parent_coach(&aarhus, "Maja Berg", "maja.berg@aarhus.dk").await;
    assert_eq!(
        nominate(&kobenhavn, cohort, &mikkel, "mentor").await.status,
        303
    );
    assert_eq!(
        nominate(&aarhus, cohort, &maja, "parent_coach")
            .await
            .status,
        303
    );
    let nomination = |email: &'static str| {
        let app = &app;
        async move {
            app.scalar::<Uuid>(&format!(
                "SELECT n.id FROM training_nominations n JOIN users u ON u.id = n.user_id
                 WHERE n.cohort_id = '{cohort}' AND u.email = '{email}'"
            ))
            .await
            .to_string()
        }
    };
    let mikkel_n = nomination("mikkel.bach@example.org").await;
    let maja_n = nomination("maja.berg@aarhus.dk").await;
    // Attendance of a module ahead is refused: nobody is trained on a future date. The
    // form comes back with the message at the ticks, which are kept.
    let early = record_raw(&national, cohort, intro, &[&mikkel_n]).await;
    assert_eq!(early.status, 422);
    assert_eq!(
        early.field_error("present"),
        "Fremmøde kan først registreres, når modulet er begyndt."
    );
    assert!(early.has(&format!("#present-{mikkel_n}[checked]")));
    assert!(!early.has(&format!("#present-{maja_n}[checked]")));
    let attended: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM training_attendance a JOIN training_modules m ON m.id = a.module_id
             WHERE m.cohort_id = '{cohort}'"
        ))
        .await;
    assert_eq!(attended, 0, "nothing recorded ahead of the module");
    // Five weeks pass: every module has been held.
    sqlx::query(
        "UPDATE training_modules SET starts_on = starts_on - 35, ends_on = ends_on - 35
         WHERE cohort_id = $1",
    )
    .bind(cohort)
    .execute(&mut app.owner_conn().await)
    .await
    .unwrap();

    // The intro day's list has both; the mentor module's only the mentor.
    let form = national
        .get(&format!(
            "/uddannelse/hold/{cohort}/moduler/{mentor_module}"
        ))
        .await;
    assert_eq!(form.texts("input[name=present]").len(), 1);
    assert!(form.text_of("fieldset").contains("Mikkel Bach"));

    assert_eq!(
        record(&national, cohort, intro, &[&mikkel_n, &maja_n])
            .await
            .status,
        303
    );
    // Saving the same attendance twice changes nothing (idempotent).
    assert_eq!(
        record(&national, cohort, intro, &[&mikkel_n, &maja_n])
            .await
            .status,
        303
    );
    let saved = record(&national, cohort, mentor_module, &[&mikkel_n]).await;
    assert_eq!(saved.status, 303);
    let page = national.follow(&saved.location()).await;
    assert!(
        page.text_of(".alert-success")
            .contains("nu har gennemført uddannelsen og er en del af korpset: 1.")
    );
    // Maja misses the parent-coach module.
    assert_eq!(
        record(&national, cohort, coach_module, &[]).await.status,
        303
    );
    let rows: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM training_attendance WHERE module_id = '{intro}'"
        ))
        .await;
    assert_eq!(rows, 2);

    let mut conn = app.owner_conn().await;
    let (status, programme, cohort_name, trained_on, corps_until): (
        String,
        Option<String>,
        Option<String>,
        Option<time::Date>,
        Option<time::Date>,
    ) = sqlx::query_as(
        "SELECT cm.training_status, cm.trained_programme, c.name, cm.trained_on, cm.corps_until
         FROM corps_members cm JOIN users u ON u.id = cm.user_id
         LEFT JOIN training_cohorts c ON c.id = cm.trained_cohort_id WHERE u.email = 'mikkel.bach@example.org'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(status, "trained");
    assert_eq!(programme.as_deref(), Some("mentor"));
    assert_eq!(cohort_name.as_deref(), Some("Hold 3, forår"));
    assert_eq!(
        trained_on,
        Some(korps::clock::today() + time::Duration::days(21 - 35)),
        "the last day of the last mentor module"
    );
    assert_eq!(corps_until, Some(time::macros::date!(2030 - 12 - 31)));
    assert_eq!(
        member_status(&app, "maja.berg@aarhus.dk").await,
        "in_training",
        "a missed module keeps her in training"
    );
    let logged: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'member_trained'")
        .await;
    assert_eq!(logged, 1);
    let recorded: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'training_attendance_recorded'")
        .await;
    assert_eq!(recorded, 4);

    // The coordinator sees the history on the member's page; the member on their own.
    let member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mikkel.bach@example.org'",
        )
        .await;
    let page = kobenhavn.get(&format!("/korps/{member}")).await;
    assert_eq!(page.status, 200);
    let history = page.text_of("#training-history");
    for expected in [
        "Uddannet",
        "Mentoruddannelse",
        "Hold 3, forår",
        day(21 - 35).as_str(),
        "31-12-2030",
        "Modul 1 – Fælles introdag, Modul 2 – Mentor",
        "2 af 2 moduler",
    ] {
        assert!(history.contains(expected), "{expected} in {history}");
    }
    let own = app.login("mikkel.bach@example.org").await;
    let page = own.get("/min-profil").await;
    assert!(page.text_of("#training-history").contains("Hold 3, forår"));

    // Taking the mentor module back undoes this cohort's completion: he stands on his
    // earlier cohort again, not on nothing.
    assert_eq!(
        record(&national, cohort, mentor_module, &[]).await.status,
        303
    );
    let (status, cohort_name): (String, Option<String>) = sqlx::query_as(
        "SELECT cm.training_status, c.name FROM corps_members cm JOIN users u ON u.id = cm.user_id
         LEFT JOIN training_cohorts c ON c.id = cm.trained_cohort_id
         WHERE u.email = 'mikkel.bach@example.org'",
    )
    .fetch_one(&mut app.owner_conn().await)
    .await
    .unwrap();
    assert_eq!(status, "trained");
    assert_ne!(cohort_name.as_deref(), Some("Hold 3, forår"));
    assert!(cohort_name.is_some(), "the earlier cohort");
}

#[tokio::test]
async fn the_roster_shows_every_municipalitys_members_with_free_capacity_and_no_citizen() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let page = national.get("/korpsoversigt?sort=name").await;
    assert_eq!(page.status, 200);
    let total: i64 = app.scalar("SELECT count(*) FROM corps_members").await;
    assert!(
        page.text_of(".list-summary")
            .contains(&format!("af {total}"))
            || page.texts("#roster tbody tr").len() as i64 == total,
        "every member: {}",
        page.text_of(".list-summary")
    );
    // Every municipality with members appears (filtering by each).
    let mut conn = app.owner_conn().await;
    let municipalities: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT mu.id, mu.name FROM municipalities mu JOIN corps_members cm ON cm.municipality_id = mu.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(municipalities.len() >= 5);
    for (id, name) in &municipalities {
        let page = national
            .get(&format!("/korpsoversigt?municipality={id}"))
            .await;
        let rows = page.texts("#roster tbody tr td:nth-child(2)");
        assert!(
            !rows.is_empty() && rows.iter().all(|m| m == name),
            "{name}: {rows:?}"
        );
    }
    // Free capacity: capacity minus the courses that take a place.
    let (capacity, load): (i16, i64) = sqlx::query_as(
        "SELECT cm.capacity, (SELECT count(*) FROM courses c WHERE c.member_id = cm.id
                              AND c.state IN ('matched', 'pre_meeting', 'active', 'ending'))
         FROM corps_members cm JOIN users u ON u.id = cm.user_id WHERE u.email = 'mentor.aarhus@example.org'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let page = national.get("/korpsoversigt?q=Ahmad").await;
    let row = page.text_of("#roster tbody tr");
    assert!(
        row.starts_with("Ahmad Rahimi Aarhus Region Midtjylland"),
        "{row}"
    );
    let free = (i64::from(capacity) - load).max(0);
    assert!(
        row.ends_with(&format!("{free} ({load} / {capacity})")),
        "{row} shows {free} free"
    );
    assert!(row.contains("Hold 1,"), "the cohort: {row}");
    // No citizen's name anywhere on any page of the roster.
    let citizens: Vec<String> = sqlx::query_scalar("SELECT name FROM citizens")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(!citizens.is_empty());
    let mut page_number = 1;
    loop {
        let page = national
            .get(&format!("/korpsoversigt?page={page_number}"))
            .await;
        for name in &citizens {
            assert!(
                !page.text.contains(name.as_str()),
                "citizen {name} on the roster"
            );
        }
        if !page.has(".pagination .button-next") {
            break;
        }
        page_number += 1;
    }
    // Filters: the free-only filter leaves out a full member.
    let page = national.get("/korpsoversigt?free=1").await;
    assert!(
        page.texts("#roster tbody tr")
            .iter()
            .all(|r| !r.contains(" 0 ("))
    );

    // The CSV: BOM, semicolons, every member, audited.
    let (status, headers, bytes) = national.get_bytes("/korpsoversigt.csv").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.lines().next().unwrap().contains("navn;kommune;region"));
    assert_eq!(text.lines().count() as i64, total + 1);
    let logged: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'corps_roster_exported'")
        .await;
    assert_eq!(logged, 1);

    // Coordinators may not see the roster, and the load function answers them nothing.
    let aarhus = app.login(AARHUS).await;
    assert_eq!(aarhus.get("/korpsoversigt").await.status, 403);
    assert_eq!(aarhus.get("/korpsoversigt.csv").await.status, 403);
    let municipality = app.municipality_id("Aarhus").await;
    let user_id = app.user_id(AARHUS).await;
    let mut tx = app
        .tenant_tx(Scope::Municipality {
            user_id,
            municipality_id: municipality,
        })
        .await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM corps_roster_load()")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(rows, 0, "a municipality's transaction gets no load figures");
    let national_id = app.user_id(NATIONAL).await;
    let mut tx = app
        .tenant_tx(Scope::National {
            user_id: national_id,
        })
        .await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM corps_roster_load()")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert!(rows > 0, "national staff get the counts");
}

#[tokio::test]
async fn network_meeting_attendance_is_recorded_and_shown_on_the_members_page() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let form = national.get("/uddannelse/arrangementer/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    // Without a kind or programme: 422 with the messages, input kept.
    let invalid = national
        .post(
            "/uddannelse/arrangementer",
            &[
                ("title", "Netværksmøde, Vejle"),
                ("starts_on", "10-03-2026"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert!(
        invalid
            .field_error("kind")
            .starts_with("Vælg, om det er et netværksmøde")
    );
    assert_eq!(
        invalid.field_error("programmes"),
        "Vælg mindst én uddannelse."
    );
    assert_eq!(
        invalid.attr("#title", "value").as_deref(),
        Some("Netværksmøde, Vejle")
    );
    let created = national
        .post(
            "/uddannelse/arrangementer",
            &[
                ("kind", "network_meeting"),
                ("title", "Netværksmøde, Vejle"),
                ("starts_on", "10-03-2026"),
                ("place", "Vejle"),
                ("programmes", "mentor"),
                ("programmes", "parent_coach"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let event = id_after(&created.location(), "/uddannelse/arrangementer/");
    let page = national
        .get(&format!("/uddannelse/arrangementer/{event}"))
        .await;
    let labels = page.texts("fieldset .form-label");
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Ahmad Rahimi (Aarhus)")),
        "{labels:?}"
    );
    assert!(
        labels.iter().all(|l| !l.starts_with("Jonas Brandt")),
        "members in training are not on the list"
    );
    let member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.aarhus@example.org'",
        )
        .await;
    let saved = national
        .post(
            &format!("/uddannelse/arrangementer/{event}"),
            &[("present", &member.to_string())],
        )
        .await;
    assert_eq!(saved.status, 303);
    let rows: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM corps_event_attendance WHERE event_id = '{event}'"
        ))
        .await;
    assert_eq!(rows, 1);
    let logged: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'corps_event_attendance_recorded'")
        .await;
    assert_eq!(logged, 1);
    let aarhus = app.login(AARHUS).await;
    let page = aarhus.get(&format!("/korps/{member}")).await;
    assert!(
        page.text_of("#history-events")
            .contains("Netværksmøde, Vejle"),
        "{}",
        page.text_of("#training-history")
    );
}

#[tokio::test]
async fn the_start_pages_show_training_to_national_staff_and_coordinators() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let page = national.get("/").await;
    // The running demo cohort's mentor module 2 is held without attendance.
    assert!(
        page.text_of("#awaiting-attendance")
            .contains("Modul 2 – Mentor"),
        "{}",
        page.text_of("#start-training")
    );
    assert!(
        page.text_of("#upcoming-training")
            .contains("Overbygningsmodul")
    );
    let aarhus = app.login(AARHUS).await;
    let page = aarhus.get("/").await;
    assert!(
        page.text_of("#open-seats").contains("Hold 2"),
        "{}",
        page.text_of("#start-training")
    );
    assert!(page.text_of("#nominee-modules").contains("Jonas Brandt"));
    let odense = app.login(ODENSE).await;
    assert!(!odense.get("/").await.has("#open-seats"));
}
