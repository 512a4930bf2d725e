//! The bell and the inbox in a real browser: a notice arrives while the coordinator is
//! logged in, the bell counts it, the inbox lists it, opening it goes to the record and
//! the count is gone; the mail choices refuse a bad value next to the field; the outbox
//! page shows a failed mail for national staff. axe runs on every page, at 1280 and 360 px.

use sqlx::Connection;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn the_bell_counts_a_new_notice_and_the_inbox_leads_to_it() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let owner = app.owner.clone();
    browse("bell and inbox", &app.base, |tab| async move {
        tab.log_in("koordinator.aarhus@example.org", PASSWORD).await;
        assert!(!tab.has(".korps-bell-count").await, "nothing unread yet");
        assert_eq!(
            tab.attr(".korps-bell", "aria-label").await.as_deref(),
            Some("Beskeder, ingen ulæste")
        );

        // The centre opens a round: every coordinator hears of it.
        let form = national.get("/ansoegningsrunder/ny").await;
        let key = form.attr("input[name=form_key]", "value").unwrap();
        let created = national
            .post(
                "/ansoegningsrunder",
                &[
                    ("kind", "training"),
                    ("title", "Uddannelse 2099"),
                    ("description", "Se vejledningen."),
                    ("deadline_date", "01-12-2099"),
                    ("deadline_time", "12:00"),
                    ("corps_until", "31-12-2101"),
                    ("form_key", &key),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.text);
        let round = created.location();
        assert_eq!(
            national.post(&format!("{round}/aabn"), &[]).await.status,
            303
        );

        tab.open("/").await;
        assert_eq!(tab.text(".portal-user .korps-bell-count").await, "1");
        assert_eq!(
            tab.attr(".korps-bell", "aria-label").await.as_deref(),
            Some("Beskeder, 1 ulæste")
        );
        tab.click(".portal-user .korps-bell").await;
        assert_eq!(tab.path().await, "/beskeder");
        let rows = tab.texts("tbody tr").await;
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(
            rows[0].contains("Ansøgningsrunden »Uddannelse 2099« er åben"),
            "{rows:?}"
        );
        tab.audit("coordinator – inbox with an unread notice").await;
        tab.press("Ansøgningsrunden »Uddannelse 2099« er åben")
            .await;
        assert_eq!(tab.path().await, "/ansoegninger");
        assert!(!tab.has(".korps-bell-count").await, "read now");
        tab.open("/beskeder").await;
        tab.audit("coordinator – inbox, all read").await;

        // The mail choices: a value the form never offers is refused next to the field.
        tab.open("/konto").await;
        tab.client
            .execute(
                "document.querySelector('#digest option[value=off]').value = 'hourly';",
                vec![],
            )
            .await
            .expect("tamper with the select");
        tab.choose("Oversigt over forfaldne og overskredne punkter", "Aldrig")
            .await;
        tab.press("Gem mailvalg").await;
        assert_eq!(
            tab.field_error("digest").await,
            "Vælg, hvor tit du vil have oversigten."
        );
        tab.audit("coordinator – refused mail choices").await;
        tab.choose(
            "Oversigt over forfaldne og overskredne punkter",
            "Hver morgen",
        )
        .await;
        tab.press("Gem mailvalg").await;
        tab.assert_message("Dine mailvalg er gemt.").await;

        // A mail that failed, as national staff see it, also on a phone.
        let mut db = sqlx::PgConnection::connect_with(&owner).await.unwrap();
        sqlx::query(
            "UPDATE outbox SET failed_at = now(), attempts = 12, last_error = 'connection refused'
             WHERE id = (SELECT id FROM outbox ORDER BY created_at LIMIT 1)",
        )
        .execute(&mut db)
        .await
        .unwrap();
        tab.switch_user("national@example.org", PASSWORD).await;
        tab.open("/udgaaende-mails?status=failed").await;
        assert_eq!(tab.texts("tbody tr").await.len(), 1);
        tab.audit("national – failed mails").await;

        // On a phone the bell sits beside the menu button.
        tab.switch_user("koordinator.aarhus@example.org", PASSWORD)
            .await;
        tab.client
            .set_window_size(360, 800)
            .await
            .expect("a phone-sized window");
        tab.open("/").await;
        let bell = tab
            .client
            .find(fantoccini::Locator::Css(".korps-bell-mobile"))
            .await
            .expect("the phone's bell");
        assert!(bell.is_displayed().await.unwrap());
        tab.click(".korps-bell-mobile").await;
        assert_eq!(tab.path().await, "/beskeder");
        tab.audit("coordinator – inbox at 360 px").await;
        let overflow = tab
            .client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, serde_json::json!(false), "the page fits a phone");
    })
    .await;
}
