//! Administration: municipalities and coordinators (national staff), staff accounts
//! (coordinators), and the audit log.

use crate::support::TestApp;

#[tokio::test]
async fn national_staff_create_a_municipality_with_danish_messages_and_kept_input() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let form = national.get("/kommuner/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();

    let invalid = national
        .post(
            "/kommuner",
            &[
                ("name", "Vejle"),
                ("code", "63"),
                ("region", ""),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.field_error("code"),
        "Kommunekoden skal være tre cifre mellem 100 og 999, fx 751."
    );
    assert_eq!(
        invalid.field_error("region"),
        "Vælg den region, kommunen ligger i."
    );
    assert_eq!(
        invalid.attr("#name", "value").as_deref(),
        Some("Vejle"),
        "input kept"
    );
    assert_eq!(invalid.attr("#code", "value").as_deref(), Some("63"));
    assert!(
        invalid.texts(".alert-error li a").len() == 2,
        "error summary links to both fields"
    );

    let taken = national
        .post(
            "/kommuner",
            &[
                ("name", "Aarhus Syd"),
                ("code", "751"),
                ("region", "midtjylland"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(
        taken.field_error("code"),
        "Der findes allerede en kommune med denne kommunekode."
    );

    let fields = [
        ("name", "Vejle"),
        ("code", "630"),
        ("region", "syddanmark"),
        ("form_key", key.as_str()),
    ];
    let created = national.post("/kommuner", &fields).await;
    assert_eq!(created.status, 303);
    let again = national.post("/kommuner", &fields).await;
    assert_eq!(
        again.status, 303,
        "a repeated submission goes where the first went"
    );
    assert_eq!(again.location(), created.location());
    assert_eq!(
        app.scalar::<i64>("SELECT count(*) FROM municipalities WHERE code = 630")
            .await,
        1,
        "one record"
    );

    let show = national.follow(&created.location()).await;
    assert_eq!(show.text_of("h1"), "Vejle");
    assert_eq!(
        show.text_of(".alert-success .alert-text"),
        "Kommunen er oprettet."
    );
    let list = national.get("/kommuner?q=vej").await;
    assert_eq!(list.texts("tbody tr td:first-child"), vec!["Vejle"]);
}

#[tokio::test]
async fn a_new_coordinator_is_invited_by_a_link_national_staff_never_see() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let aalborg = app.municipality_id("Aalborg").await;
    let page = national.get(&format!("/kommuner/{aalborg}")).await;
    let key = page.attr("input[name=form_key]", "value").unwrap();
    let created = national
        .post(
            &format!("/kommuner/{aalborg}/koordinatorer"),
            &[
                ("name", "Ida Holm"),
                ("email", "ida.holm@aalborg.dk"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let shown = national.follow(&created.location()).await;
    assert!(
        shown
            .text_of(".alert-success")
            .contains("Der er sendt en mail til ida.holm@aalborg.dk"),
        "national staff are told a link went out: {}",
        shown.text_of(".alert-success")
    );
    assert!(
        shown
            .texts("tbody td")
            .contains(&"ida.holm@aalborg.dk".to_string())
    );
    assert!(!shown.has("#temporary-password"), "no password is shown");

    // The invited coordinator follows the link from their own mail.
    let (coordinator, _secret) = app
        .accept_link("ida.holm@aalborg.dk", "min egen lange kode")
        .await;
    assert_eq!(coordinator.get("/medarbejdere").await.status, 200);
    let listed = national.get(&created.location()).await;
    assert!(
        listed.text.contains("Slået til"),
        "now with a second factor"
    );

    let entries: i64 = app
        .scalar(&format!("SELECT count(*) FROM audit_log WHERE municipality_id = '{aalborg}' AND action = 'user_created'"))
        .await;
    assert_eq!(entries, 1, "the creation is in Aalborg's audit log");
}

#[tokio::test]
async fn a_coordinator_creates_edits_deactivates_and_resets_a_mentor() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let form = coordinator.get("/medarbejdere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();

    let invalid = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", "Louise Berg"),
                ("email", "louise"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.field_error("email"),
        "Indtast en gyldig e-mail, fx navn@kommune.dk."
    );
    assert_eq!(invalid.field_error("roles"), "Vælg mindst én rolle.");
    assert_eq!(
        invalid.attr("#name", "value").as_deref(),
        Some("Louise Berg")
    );

    let taken = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", "Louise Berg"),
                ("email", "MENTOR.aarhus@example.org"),
                ("roles", "mentor"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(
        taken.field_error("email"),
        "Der findes allerede en bruger med denne e-mail."
    );

    let created = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", "Louise Berg"),
                ("email", "louise.berg@aarhus.dk"),
                ("roles", "mentor"),
                ("roles", "parent_coach"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let edit = coordinator.follow(&created.location()).await;
    assert!(!edit.has("#temporary-password"));
    assert!(
        app.mailed_link("louise.berg@aarhus.dk")
            .await
            .starts_with("/adgang?token=")
    );
    assert_eq!(
        edit.attr("#roles", "checked").as_deref(),
        Some(""),
        "mentor checked"
    );
    assert!(edit.has("#role-parent_coach[checked]"));
    let id = created.location().rsplit('/').next().unwrap().to_string();
    let version = edit.attr("input[name=version]", "value").unwrap();

    // Two coordinators edit at once: the second save sees the first one's change.
    let other = app.login("koordinator.aarhus@example.org").await;
    other.get(&format!("/medarbejdere/{id}")).await;
    let first = other
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", "Louise B. Berg"),
                ("email", "louise.berg@aarhus.dk"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(first.status, 303);
    let second = coordinator
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", "Louise Bergström"),
                ("email", "louise.berg@aarhus.dk"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(second.status, 409);
    assert!(
        second.text.contains("Louise B. Berg"),
        "their version shown"
    );
    assert_eq!(
        second.attr("#name", "value").as_deref(),
        Some("Louise Bergström"),
        "my input kept"
    );
    let name: String = app
        .scalar(&format!("SELECT name FROM users WHERE id = '{id}'"))
        .await;
    assert_eq!(name, "Louise B. Berg", "nothing overwritten silently");

    let confirm = coordinator
        .get(&format!("/medarbejdere/{id}/deaktiver"))
        .await;
    assert!(
        confirm.text.contains("logget ud med det samme"),
        "a confirmation explains the consequence"
    );
    assert_eq!(
        coordinator
            .post(&format!("/medarbejdere/{id}/deaktiver"), &[])
            .await
            .status,
        303
    );
    let inactive = coordinator.get("/medarbejdere?status=inactive").await;
    assert_eq!(
        inactive.texts("tbody tr td:first-child"),
        vec!["Louise B. Berg"]
    );
    assert_eq!(
        coordinator
            .post(&format!("/medarbejdere/{id}/aktiver"), &[])
            .await
            .status,
        303
    );

    assert_eq!(
        coordinator
            .post(&format!("/medarbejdere/{id}/nulstil-adgangskode"), &[])
            .await
            .status,
        303
    );
    let reset = coordinator.follow(&format!("/medarbejdere/{id}")).await;
    let said = reset.texts(".alert-success");
    assert!(
        said.iter()
            .any(|text| text.contains("der er sendt et link til louise.berg@aarhus.dk")),
        "{said:?}"
    );
    assert!(!reset.has("#temporary-password"));
    let (louise, _) = app
        .accept_link("louise.berg@aarhus.dk", "Louises helt egen kode")
        .await;
    assert_eq!(louise.get("/").await.status, 200);

    let log = coordinator.get("/adgangslog?action=user_deactivated").await;
    assert_eq!(
        log.texts("tbody tr td:nth-child(3)"),
        vec!["Medarbejder deaktiveret"]
    );
    let actions = coordinator
        .get("/adgangslog")
        .await
        .texts("tbody tr td:nth-child(3)");
    for action in [
        "Medarbejder oprettet",
        "Medarbejder ændret",
        "Medarbejder aktiveret igen",
        "Adgangskode nulstillet",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn coordinators_accounts_are_not_managed_by_coordinators() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let own = app.user_id("koordinator.aarhus@example.org").await;
    assert_eq!(
        coordinator
            .get(&format!("/medarbejdere/{own}/deaktiver"))
            .await
            .status,
        403
    );
    assert_eq!(
        coordinator
            .post(&format!("/medarbejdere/{own}/deaktiver"), &[])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_staff_list_searches_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let all = coordinator.get("/medarbejdere").await;
    let names = all.texts("tbody tr td:first-child");
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| name.to_lowercase());
    assert_eq!(names, sorted, "sorted by name");
    assert_eq!(
        all.attr("th[aria-sort]", "aria-sort").as_deref(),
        Some("ascending")
    );
    let desc = coordinator
        .get("/medarbejdere?sort=name&dir=desc")
        .await
        .texts("tbody tr td:first-child");
    assert_eq!(desc, sorted.iter().rev().cloned().collect::<Vec<_>>());
    let search = coordinator.get("/medarbejdere?q=rahimi").await;
    assert_eq!(
        search.texts("tbody tr td:first-child"),
        vec!["Ahmad Rahimi"]
    );
    let coaches = coordinator
        .get("/medarbejdere?role=parent_coach")
        .await
        .texts("tbody tr td:first-child");
    assert!(
        coaches.contains(&"Susanne Holm".to_string())
            && !coaches.contains(&"Ahmad Rahimi".to_string()),
        "{coaches:?}"
    );

    let mut conn = app.owner_conn().await;
    let aarhus = app.municipality_id("Aarhus").await;
    for i in 0..30 {
        let id = uuid::Uuid::now_v7();
        sqlx::query("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')")
            .bind(id)
            .bind(format!("mentor{i:02}@aarhus.dk"))
            .bind(format!("Mentor {i:02}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO memberships (id, user_id, municipality_id, roles) VALUES ($1, $2, $3, ARRAY['mentor'])")
            .bind(uuid::Uuid::now_v7())
            .bind(id)
            .bind(aarhus)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let first = coordinator.get("/medarbejdere").await;
    assert_eq!(first.texts("tbody tr").len(), 25);
    assert!(first.has("nav.pagination"));
    let second = coordinator
        .get(&first.attr("a.button-next", "href").unwrap())
        .await;
    assert!(!second.texts("tbody tr").is_empty());
    assert!(second.texts("tbody tr").len() < 25);
    assert!(second.text_of(".list-summary").starts_with("Viser 26–"));
}

#[tokio::test]
async fn the_audit_log_filters_by_date_and_says_when_a_date_is_wrong() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let bad = coordinator.get("/adgangslog?from=32-13-2026").await;
    assert_eq!(
        bad.field_error("from"),
        "Skriv datoen som dd-mm-åååå, fx 01-11-2026."
    );
    assert_eq!(bad.attr("#from", "value").as_deref(), Some("32-13-2026"));
    let future = coordinator.get("/adgangslog?from=01-01-2099").await;
    assert!(future.texts("tbody tr").is_empty());
    let today = time::OffsetDateTime::now_utc().date();
    let from = format!(
        "{:02}-{:02}-{}",
        today.day() - if today.day() > 1 { 1 } else { 0 },
        u8::from(today.month()),
        today.year()
    );
    let recent = coordinator.get(&format!("/adgangslog?from={from}")).await;
    assert!(
        !recent.texts("tbody tr").is_empty(),
        "today's login is listed"
    );
}

#[tokio::test]
async fn the_audit_log_downloads_as_csv_for_excel_and_the_download_is_logged() {
    let app = TestApp::spawn().await;
    app.client()
        .login("mentor.aarhus@example.org", "forkert adgangskode")
        .await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let page = coordinator.get("/adgangslog?action=login_failed").await;
    let link = page.attr("a[download]", "href").unwrap();
    assert_eq!(link, "/adgangslog.csv?action=login_failed");
    let csv = coordinator.get(&link).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("adgangslog.csv"));
    assert!(
        csv.text.starts_with('\u{feff}'),
        "byte-order mark for Excel"
    );
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "Tidspunkt;Medarbejder;Handling;Post;Formål;Adresse"
    );
    assert_eq!(lines.len(), 2, "only the failed login: {lines:?}");
    assert!(lines[1].contains("Ahmad Rahimi;Mislykket login"));
    let exported = coordinator
        .get("/adgangslog?action=audit_log_exported")
        .await;
    assert_eq!(
        exported.texts("tbody tr").len(),
        1,
        "the export is in the log"
    );
}

#[tokio::test]
async fn a_form_rerendered_with_errors_still_notices_a_save_by_someone_else() {
    let app = TestApp::spawn().await;
    let id = app.user_id("mentor.aarhus@example.org").await;
    let me = app.login("koordinator.aarhus@example.org").await;
    let edit = me.get(&format!("/medarbejdere/{id}")).await;
    let version = edit.attr("input[name=version]", "value").unwrap();
    let other = app.login("koordinator.aarhus@example.org").await;
    other.get(&format!("/medarbejdere/{id}")).await;
    let saved = other
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", "Ahmad R."),
                ("email", "mentor.aarhus@example.org"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let invalid = me
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", ""),
                ("email", "mentor.aarhus@example.org"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.attr("input[name=version]", "value"),
        Some(version.clone()),
        "the version I started from is kept"
    );
    let retry = me
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", "Ahmad Rahimi Jr."),
                ("email", "mentor.aarhus@example.org"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(retry.status, 409);
}
