//! Login, logout, sessions, throttling and passwords.

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn every_demo_login_reaches_its_own_start_page() {
    let app = TestApp::spawn().await;
    let cases = [
        ("national@example.org", "Nationalt center", "Kommuner"),
        (
            "koordinator.aarhus@example.org",
            "Koordinator",
            "Medarbejdere",
        ),
        ("mentor.aarhus@example.org", "Mine forløb", ""),
        ("coach.aarhus@example.org", "Mine forløb", ""),
        (
            "koordinator.odense@example.org",
            "Koordinator",
            "Medarbejdere",
        ),
        ("mentor.odense@example.org", "Mine forløb", ""),
        ("coach.odense@example.org", "Mine forløb", ""),
    ];
    for (email, section, menu_item) in cases {
        let client = app.login(email).await;
        let start = client.get("/").await;
        assert_eq!(start.status, 200, "{email}");
        assert_eq!(start.text_of("h1"), "Det, der kræver din opmærksomhed");
        assert!(
            start.texts("h2").contains(&section.to_string()),
            "{email} sees {section}: {:?}",
            start.texts("h2")
        );
        let menu = start.texts("nav.nav .nav-link");
        if !menu_item.is_empty() {
            assert!(menu.contains(&menu_item.to_string()), "{email}: {menu:?}");
        }
        if email.starts_with("mentor") || email.starts_with("coach") {
            assert_eq!(
                menu,
                vec!["Forside", "Forløb", "Min profil"],
                "members see only what they may use"
            );
        }
    }
}

#[tokio::test]
async fn a_wrong_password_keeps_the_email_and_says_so_in_danish() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let page = client
        .login("mentor.aarhus@example.org", "forkert adgangskode")
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.text_of(".alert-error .alert-text"),
        "E-mail eller adgangskode er forkert."
    );
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("mentor.aarhus@example.org")
    );
    let unknown = client
        .login("ingen@example.org", "forkert adgangskode")
        .await;
    assert_eq!(
        unknown.text_of(".alert-error .alert-text"),
        page.text_of(".alert-error .alert-text"),
        "no account oracle"
    );
    let empty = client.login("", "").await;
    assert_eq!(empty.field_error("email"), "Indtast din e-mail.");
    assert_eq!(empty.field_error("password"), "Indtast din adgangskode.");
}

#[tokio::test]
async fn failures_from_one_address_are_throttled_across_accounts() {
    let app = TestApp::spawn().await;
    let accounts = [
        "a@example.org",
        "b@example.org",
        "c@example.org",
        "d@example.org",
        "e@example.org",
    ];
    for account in accounts {
        app.client().login(account, "forkert adgangskode").await;
    }
    let refused = app
        .client()
        .login("coach.aarhus@example.org", PASSWORD)
        .await;
    assert_eq!(
        refused.status, 429,
        "the sixth try from the same address is refused"
    );
}

#[tokio::test]
async fn logins_and_failures_are_in_the_municipalitys_audit_log() {
    let app = TestApp::spawn().await;
    app.client()
        .login("mentor.aarhus@example.org", "forkert adgangskode")
        .await;
    app.login("mentor.aarhus@example.org").await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let log = coordinator.get("/adgangslog").await;
    let actions = log.texts("tbody tr td:nth-child(3)");
    assert!(
        actions.contains(&"Mislykket login".to_string()),
        "{actions:?}"
    );
    assert!(actions.contains(&"Logget ind".to_string()), "{actions:?}");
    let rows = log.texts("tbody tr");
    assert!(rows.iter().any(|row| row.contains("Ahmad Rahimi")
        && row.contains("Mislykket login")
        && row.contains("127.0.0.1")));
}

#[tokio::test]
async fn login_gives_a_new_session_id_and_logout_ends_it_on_the_server() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let before = client.get("/login").await.header("set-cookie");
    let login = client
        .post(
            "/login",
            &[
                ("email", "mentor.aarhus@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, 303);
    let after = login.header("set-cookie");
    let id = |cookie: &str| cookie.split(';').next().unwrap_or_default().to_string();
    assert!(
        !after.is_empty() && id(&before) != id(&after),
        "session id cycled after the password"
    );
    assert_eq!(login.location(), "/login/kode");
    let signed_in = client.enter_demo_code().await;
    assert_eq!(signed_in.status, 303);
    let last = signed_in.header("set-cookie");
    assert!(
        !last.is_empty() && id(&last) != id(&after),
        "and again once signed in"
    );

    let sessions_before: i64 = app
        .scalar("SELECT count(*) FROM tower_sessions.session")
        .await;
    assert_eq!(client.get("/").await.status, 200);
    let logout = client.post("/logout", &[]).await;
    assert_eq!(logout.status, 303);
    assert_eq!(logout.location(), "/login");
    assert_eq!(client.get("/").await.status, 303, "logged out");
    let login_page = client.follow("/").await;
    assert_eq!(login_page.text_of("h1"), "Log ind på Korps");
    let sessions_after: i64 = app
        .scalar("SELECT count(*) FROM tower_sessions.session")
        .await;
    assert!(
        sessions_after <= sessions_before,
        "the logged-in session row is gone"
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn().await;
    let client = app.login("mentor.aarhus@example.org").await;
    assert_eq!(client.get("/").await.status, 200);
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE tower_sessions.session SET expiry_date = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    let page = client.get("/").await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/login"));
}

#[tokio::test]
async fn a_deactivated_users_session_ends_at_once() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    assert_eq!(mentor.get("/").await.status, 200);
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let id = app.user_id("mentor.aarhus@example.org").await;
    coordinator
        .get(&format!("/medarbejdere/{id}/deaktiver"))
        .await;
    assert_eq!(
        coordinator
            .post(&format!("/medarbejdere/{id}/deaktiver"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        mentor.get("/").await.status,
        303,
        "the mentor is logged out on the next request"
    );
    assert_eq!(
        app.client()
            .login("mentor.aarhus@example.org", PASSWORD)
            .await
            .status,
        422,
        "and cannot log in"
    );
}

#[tokio::test]
async fn changing_the_password_checks_it_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let other_device = app.login("coach.aarhus@example.org").await;
    let client = app.login("coach.aarhus@example.org").await;
    client.get("/konto").await;
    let short = client
        .post(
            "/konto/adgangskode",
            &[
                ("current_password", PASSWORD),
                ("new_password", "for kort"),
                ("repeat_password", "for kort"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert_eq!(
        short.field_error("new_password"),
        "Adgangskoden skal være på mindst 12 tegn."
    );
    let differ = client
        .post(
            "/konto/adgangskode",
            &[
                ("current_password", PASSWORD),
                ("new_password", "en lang ny adgangskode"),
                ("repeat_password", "en anden lang kode"),
            ],
        )
        .await;
    assert_eq!(
        differ.field_error("repeat_password"),
        "De to adgangskoder er ikke ens."
    );
    let wrong = client
        .post(
            "/konto/adgangskode",
            &[
                ("current_password", "forkert forkert"),
                ("new_password", "en lang ny adgangskode"),
                ("repeat_password", "en lang ny adgangskode"),
            ],
        )
        .await;
    assert_eq!(
        wrong.field_error("current_password"),
        "Den nuværende adgangskode er forkert."
    );

    let changed = client
        .post(
            "/konto/adgangskode",
            &[
                ("current_password", PASSWORD),
                ("new_password", "en lang ny adgangskode"),
                ("repeat_password", "en lang ny adgangskode"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    assert_eq!(
        client
            .follow("/konto")
            .await
            .text_of(".alert-success .alert-text"),
        "Din adgangskode er ændret."
    );
    assert_eq!(client.get("/").await.status, 200, "this session goes on");
    assert_eq!(
        other_device.get("/").await.status,
        303,
        "the other session has ended"
    );
    assert_eq!(
        app.client()
            .login("coach.aarhus@example.org", PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(
        app.client()
            .login("coach.aarhus@example.org", "en lang ny adgangskode")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn english_can_be_chosen_per_user() {
    let app = TestApp::spawn().await;
    let client = app.login("mentor.odense@example.org").await;
    client.get("/konto").await;
    assert_eq!(
        client
            .post("/konto/sprog", &[("locale", "en")])
            .await
            .status,
        303
    );
    let start = client.get("/").await;
    assert_eq!(start.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(start.text_of("h1"), "What needs your attention");
    let other = app.login("coach.odense@example.org").await;
    assert_eq!(
        other.get("/").await.attr("html", "lang").as_deref(),
        Some("da"),
        "only for that user"
    );
}
