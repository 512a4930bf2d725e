//! The main journeys, clicked through like a user: creating staff, form errors, a new
//! municipality's first coordinator, logging out, and switching language.

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const STAFF_CREATED: &str = "Medarbejderen er oprettet. Der er sendt en mail til sofie.thygesen@aarhus.dk med et link til at vælge adgangskode og opsætte totrinsbekræftelse. Linket virker i 72 timer.";
const BAD_EMAIL: &str = "Indtast en gyldig e-mail, fx navn@kommune.dk.";

#[tokio::test]
async fn a_coordinator_creates_a_mentor_and_finds_them_with_the_search_box() {
    let app = TestApp::spawn().await;
    browse("journey create mentor", &app.base, |tab| async move {
        tab.log_in("koordinator.aarhus@example.org", PASSWORD).await;
        tab.follow("Medarbejdere").await;
        tab.follow("Opret medarbejder").await;
        assert_eq!(tab.path().await, "/medarbejdere/ny");

        tab.fill("Navn", "Sofie Thygesen").await;
        tab.fill("E-mail", "sofie.thygesen@aarhus.dk").await;
        tab.tick("Mentor").await;
        tab.press("Opret medarbejder").await;

        assert_eq!(tab.text("h1").await, "Sofie Thygesen");
        let messages = tab.messages().await;
        assert!(
            messages.iter().any(|message| message == STAFF_CREATED),
            "success message shown: {messages:?}"
        );
        assert!(!tab.has("#temporary-password").await, "no password shown");
        assert!(tab.is_ticked("Mentor").await);
        assert!(!tab.is_ticked("Forældrecoach").await);
        tab.audit("coordinator – new mentor, invited by mail").await;

        tab.follow("Medarbejdere").await;
        tab.fill("Søg efter navn eller e-mail", "thygesen").await;
        tab.press("Filtrér").await;
        assert_eq!(
            tab.texts("tbody tr td:first-child").await,
            ["Sofie Thygesen"]
        );
        assert_eq!(
            tab.texts("tbody tr td:nth-child(2)").await,
            ["sofie.thygesen@aarhus.dk"]
        );
        assert_eq!(tab.texts("tbody tr td:nth-child(3)").await, ["Mentor"]);
        assert_eq!(
            tab.value_of("Søg efter navn eller e-mail").await,
            "thygesen",
            "the search box keeps the search"
        );
        tab.audit("coordinator – staff list searched").await;
    })
    .await;
}

#[tokio::test]
async fn the_new_staff_form_explains_errors_in_danish_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    browse("journey staff form errors", &app.base, |tab| async move {
        tab.log_in("koordinator.odense@example.org", PASSWORD).await;
        tab.open("/medarbejdere/ny").await;

        tab.press("Opret medarbejder").await;
        assert_eq!(tab.field_error("name").await, "Indtast navnet.");
        assert_eq!(tab.field_error("email").await, BAD_EMAIL);
        assert_eq!(tab.field_error("roles").await, "Vælg mindst én rolle.");
        assert_eq!(
            tab.text("main .alert-error .alert-heading").await,
            "Der er problemer med det, du har udfyldt"
        );
        tab.audit("coordinator – new-staff form submitted empty")
            .await;

        tab.fill("Navn", "Karen Vestergaard").await;
        tab.fill("E-mail", "karen.vestergaard.odense.dk").await;
        tab.tick("Mentor").await;
        tab.press("Opret medarbejder").await;

        assert_eq!(tab.field_error("email").await, BAD_EMAIL);
        assert!(!tab.has("#name-error").await, "the name was fine");
        assert!(!tab.has("#roles-error").await, "a role was ticked");
        assert_eq!(
            tab.attr("#email", "aria-invalid").await.as_deref(),
            Some("true")
        );
        assert_eq!(tab.value_of("Navn").await, "Karen Vestergaard");
        assert_eq!(tab.value_of("E-mail").await, "karen.vestergaard.odense.dk");
        assert!(tab.is_ticked("Mentor").await, "the ticked role is kept");
        assert_eq!(
            tab.texts("main .alert-error li a").await,
            [BAD_EMAIL],
            "the error summary lists the one problem"
        );
        assert_eq!(
            tab.attr("main .alert-error li a", "href").await.as_deref(),
            Some("#email")
        );
        tab.audit("coordinator – new-staff form with a bad e-mail")
            .await;
    })
    .await;
}

#[tokio::test]
async fn national_staff_set_up_a_municipality_whose_coordinator_then_logs_in() {
    let app = TestApp::spawn().await;
    let mailbox = app.mailbox();
    browse("journey new municipality", &app.base, |tab| async move {
        tab.log_in("national@example.org", PASSWORD).await;
        tab.follow("Kommuner").await;
        tab.follow("Opret kommune").await;
        tab.fill("Kommunens navn", "Vejle").await;
        tab.fill("Kommunekode", "630").await;
        tab.choose("Region", "Region Syddanmark").await;
        tab.press("Opret kommune").await;

        assert_eq!(tab.text("h1").await, "Vejle");
        assert!(
            tab.messages()
                .await
                .contains(&"Kommunen er oprettet.".to_string())
        );
        assert!(
            tab.texts("main p")
                .await
                .contains(&"Kommunen har ingen koordinatorer endnu.".to_string())
        );

        tab.fill("Navn", "Ida Holm").await;
        tab.fill("E-mail", "ida.holm@vejle.dk").await;
        tab.press("Opret koordinator").await;
        assert_eq!(tab.text("h1").await, "Vejle");
        assert!(
            tab.messages().await.iter().any(|m| m.starts_with(
                "Koordinatoren er oprettet. Der er sendt en mail til ida.holm@vejle.dk"
            )),
            "national staff are told a link went out"
        );
        assert!(!tab.has("#temporary-password").await, "no password shown");
        assert!(
            tab.texts("tbody td")
                .await
                .contains(&"ida.holm@vejle.dk".to_string()),
            "the coordinator is listed"
        );
        tab.audit("national staff – municipality with a new coordinator")
            .await;

        // Ida follows the link in her own mail.
        tab.log_out().await;
        let link = mailbox.link("ida.holm@vejle.dk").await;
        tab.set_up_account(&link, "Vejle fjord er blå om sommeren", "new coordinator")
            .await;
        tab.follow("Jeg har gemt koderne – fortsæt").await;
        assert_eq!(tab.path().await, "/");
        assert!(
            tab.texts("main h2")
                .await
                .contains(&"Koordinator".to_string())
        );
        assert!(
            tab.text("header .portal-user").await.contains("Ida Holm"),
            "the header names who is logged in"
        );
    })
    .await;
}

#[tokio::test]
async fn logging_out_with_the_header_button_returns_to_the_login_page() {
    let app = TestApp::spawn().await;
    browse("journey log out", &app.base, |tab| async move {
        tab.log_in("mentor.odense@example.org", PASSWORD).await;
        assert_eq!(tab.path().await, "/");
        tab.log_out().await;

        assert_eq!(tab.path().await, "/login");
        assert_eq!(tab.text("h1").await, "Log ind på Korps");
        let messages = tab.messages().await;
        assert!(
            messages.contains(&"Du er logget ud.".to_string()),
            "the page says the user is logged out: {messages:?}"
        );
        tab.audit("login page after logging out").await;

        tab.open("/konto").await;
        assert_eq!(
            tab.path().await,
            "/login?next=%2Fkonto",
            "the session has ended"
        );
    })
    .await;
}

#[tokio::test]
async fn choosing_english_on_my_account_shows_the_start_page_in_english() {
    let app = TestApp::spawn().await;
    browse("journey english", &app.base, |tab| async move {
        tab.log_in("coach.aarhus@example.org", PASSWORD).await;
        tab.follow("Min konto").await;
        assert_eq!(tab.attr("html", "lang").await.as_deref(), Some("da"));
        tab.choose("Sprog", "English").await;
        tab.press("Gem").await;

        assert_eq!(tab.path().await, "/konto");
        assert_eq!(tab.text("h1").await, "My account");
        assert!(
            tab.messages()
                .await
                .contains(&"Your language has been saved.".to_string())
        );
        tab.follow("Start").await;

        assert_eq!(tab.path().await, "/");
        assert_eq!(tab.attr("html", "lang").await.as_deref(), Some("en"));
        assert_eq!(tab.text("h1").await, "What needs your attention");
        assert!(
            tab.texts("main h2")
                .await
                .contains(&"My courses".to_string())
        );
        tab.audit("parent coach – start page in English").await;
    })
    .await;
}
