//! A loan clicked through from request to settlement: Odense asks, the national centre
//! forwards to Aarhus, Aarhus lends its mentor, Odense assigns the course; the mentor's
//! access to that one course appears, and disappears when the loan ends, while every other
//! record of Odense stays 404 for them. axe runs on every page visited.

use korps::clock;
use korps::i18n::Locale;
use sqlx::Connection;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn a_loan_goes_from_request_to_settlement_and_the_lent_mentors_access_follows_it() {
    let app = TestApp::spawn().await;
    let owner = app.owner.clone();
    browse("loan journey", &app.base, |tab| async move {
        let not_found = Locale::Da.messages().common.error_404_title;
        let mut db = sqlx::PgConnection::connect_with(&owner)
            .await
            .expect("the test database");

        // Odense has no free mentor for its waiting course: it asks for a loan.
        tab.log_in("koordinator.odense@example.org", PASSWORD).await;
        tab.follow_xpath(
            "//a[contains(@href, '/match') and starts-with(normalize-space(), 'Mentorforløb')]",
        )
        .await;
        let match_path = tab.path().await;
        let course_path = match_path.trim_end_matches("/match").to_string();
        let course_name = tab.text("main .font-lead").await;
        tab.follow("Anmod om udlån").await;
        tab.audit("coordinator – loan request form").await;
        tab.fill("Behov i generelle vendinger", "").await;
        tab.press("Send anmodningen").await;
        assert_eq!(
            tab.field_error("needs").await,
            "Beskriv behovet i generelle vendinger."
        );
        tab.fill(
            "Behov i generelle vendinger",
            "Mandlig mentor med erfaring fra ungdomsmiljøer.",
        )
        .await;
        tab.tick("Arabisk").await;
        tab.press("Send anmodningen").await;
        tab.assert_message("Anmodningen om udlån er sendt til det nationale center.")
            .await;
        let loan_path = tab.path().await;
        assert!(loan_path.starts_with("/udlaan/"), "{loan_path}");
        tab.audit("coordinator – requested loan").await;

        // The national centre sees general terms and the free members, and forwards.
        tab.switch_user("national@example.org", PASSWORD).await;
        tab.follow_xpath("//nav[contains(@class, 'nav')]//a[normalize-space()='Udlån']")
            .await;
        tab.audit("national – loans").await;
        tab.open(&loan_path).await;
        let candidates = tab.texts("#candidates tbody tr").await;
        assert!(
            candidates
                .iter()
                .any(|r| r.starts_with("Ahmad Rahimi Aarhus")),
            "{candidates:?}"
        );
        let citizen = course_name
            .rsplit(" · ")
            .next()
            .unwrap_or_default()
            .to_string();
        let source = tab.client.source().await.expect("the page source");
        assert!(
            !source.contains(&citizen),
            "no citizen identity for the national centre"
        );
        tab.audit("national – a loan request").await;
        tab.choose("Udlånende kommune", "Aarhus").await;
        tab.press("Send videre").await;
        tab.assert_message("Anmodningen er sendt videre.").await;

        // Aarhus lends its mentor at 400 kr. an hour.
        tab.switch_user("koordinator.aarhus@example.org", PASSWORD)
            .await;
        assert!(
            tab.text("main")
                .await
                .contains("anmodninger om udlån venter på jeres svar"),
            "the request waits on Aarhus's start page"
        );
        tab.open(&loan_path).await;
        tab.audit("lending coordinator – answer form").await;
        tab.choose("Mentor/forældrecoach", "Ahmad Rahimi (2 ledige)")
            .await;
        tab.fill("Timepris i kr.", "400").await;
        tab.tick("Den modtagende kommune betaler for de timer, der bruges på forløbet.")
            .await;
        tab.press("Acceptér udlånet").await;
        tab.assert_message("Udlånet er aftalt.").await;

        // Before Odense assigns the course, the mentor has no access.
        tab.switch_user("mentor.aarhus@example.org", PASSWORD).await;
        tab.open(&course_path).await;
        assert_eq!(tab.text("h1").await, not_found);

        tab.switch_user("koordinator.odense@example.org", PASSWORD)
            .await;
        tab.open(&loan_path).await;
        tab.press("Tildel forløbet").await;
        tab.assert_message("Forløbet er tildelt den lånte mentor eller forældrecoach.")
            .await;
        tab.audit("receiving coordinator – agreed loan").await;

        // The lent mentor sees exactly that course and logs a session on it.
        tab.switch_user("mentor.aarhus@example.org", PASSWORD).await;
        let lent = tab.texts("#lent-courses li").await;
        assert!(
            lent.iter()
                .any(|li| li.contains(&course_name) && li.contains("Odense")),
            "{lent:?}"
        );
        tab.audit("lent mentor – start page").await;
        tab.follow_xpath("//ul[@id='lent-courses']//a[contains(@class, 'button')]")
            .await;
        tab.fill("Dato", &clock::format_date(clock::today())).await;
        tab.fill("Varighed", "60").await;
        tab.tick("Formøde").await;
        tab.fill("Noter (frivilligt)", "Første møde hos Odense.")
            .await;
        tab.press("Gem").await;
        tab.assert_message("Sessionen er registreret.").await;
        assert_eq!(tab.path().await, course_path);
        tab.audit("lent mentor – the lent course").await;
        let (other,): (uuid::Uuid,) = sqlx::query_as(
            "SELECT c.id FROM courses c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Odense' AND c.state = 'active' LIMIT 1",
        )
        .fetch_one(&mut db)
        .await
        .expect("another Odense course");
        tab.open(&format!("/forloeb/{other}")).await;
        assert_eq!(
            tab.text("h1").await,
            not_found,
            "every other Odense course is 404"
        );

        // Odense ends the loan: the settlement, and the access is gone.
        tab.switch_user("koordinator.odense@example.org", PASSWORD)
            .await;
        tab.open(&loan_path).await;
        assert_eq!(tab.text("#hours-logged").await, "1,0");
        tab.press("Afslut udlånet").await;
        tab.assert_message("Udlånet er afsluttet. Her er afregningen.")
            .await;
        assert_eq!(tab.text("#settled-amount").await, "400,00 kr.");
        tab.audit("receiving coordinator – settlement").await;

        tab.switch_user("mentor.aarhus@example.org", PASSWORD).await;
        assert!(!tab.has("#lent-courses").await, "no lent course any more");
        tab.open(&course_path).await;
        assert_eq!(
            tab.text("h1").await,
            not_found,
            "the access ended with the loan"
        );
    })
    .await;
}
