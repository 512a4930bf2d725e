//! Next meetings and the calendar feed clicked through by a mentor: the course page with
//! its next-meeting form (refused and saved), and the account page with the feed's
//! address shown once and then the feed as it stands. axe runs on every page visited.

use std::sync::Arc;

use korps::clock;
use time::Duration;
use uuid::Uuid;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const MENTOR: &str = "mentor.aarhus@example.org";

#[tokio::test]
async fn a_mentor_plans_the_next_meeting_and_makes_a_calendar_link() {
    let app = Arc::new(TestApp::spawn().await);
    let course: Uuid = app
        .scalar(&format!(
            "SELECT c.id FROM courses c JOIN corps_members cm ON cm.id = c.member_id
             JOIN users u ON u.id = cm.user_id
             WHERE u.email = '{MENTOR}' AND c.state = 'active' ORDER BY c.started_on LIMIT 1"
        ))
        .await;
    browse(
        "calendar next meeting and feed",
        &app.base,
        |tab| async move {
            tab.log_in(MENTOR, PASSWORD).await;
            tab.open(&format!("/forloeb/{course}")).await;
            tab.audit_here("mentor – course page with the next-meeting form")
                .await;

            tab.fill(
                "Dato for næste møde",
                &clock::format_date(clock::today() - Duration::days(1)),
            )
            .await;
            tab.fill("Klokkeslæt", "14:30").await;
            tab.press("Gem næste møde").await;
            assert_eq!(
                tab.field_error("meeting_date").await,
                "Datoen er passeret. Skriv en dato fra i dag og frem som dd-mm-åååå."
            );
            tab.audit("mentor – course page, next meeting refused")
                .await;

            let next_week = clock::format_date(clock::today() + Duration::days(7));
            tab.fill("Dato for næste møde", &next_week).await;
            tab.fill("Sted (frivilligt)", "Biblioteket").await;
            tab.press("Gem næste møde").await;
            tab.assert_message("Næste møde er gemt.").await;
            assert!(
                tab.text("#naeste-moede + p").await.contains("kl. 14:30"),
                "the course page shows the planned meeting"
            );
            tab.audit_here("mentor – course page with a next meeting")
                .await;

            tab.open("/konto").await;
            tab.press("Opret kalenderlink").await;
            tab.assert_message("Dit kalenderlink er oprettet.").await;
            let url = tab.value_of("Dit kalenderlink").await;
            assert!(url.ends_with(".ics"), "the address is shown once: {url}");
            tab.audit_here("mentor – account page with the new calendar link")
                .await;
            tab.open("/konto").await;
            assert!(!tab.has("#calendar_url").await, "and only once");
            tab.audit_here("mentor – account page with a calendar link")
                .await;
        },
    )
    .await;
}
