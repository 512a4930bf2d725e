//! The LAT tools clicked through: a mentor fills the risk assessment, the development and
//! progress plan and the pre measurement for a course; the rating shows on the course's
//! chart, on the mentor's start page and on the coordinator's overview; the national
//! dashboard shows "<5" where it must and no names. axe runs on every page visited.

use korps::clock;
use sqlx::Connection;

use crate::browser::{Tab, browse};
use crate::support::{PASSWORD, TestApp};

/// Picks a step of a scale (dkfds draws the radio button over its label).
async fn pick(tab: &Tab, field: &str, value: u8) {
    tab.click(&format!("input[name={field}][value='{value}']"))
        .await;
}

#[tokio::test]
async fn a_mentor_fills_each_tool_and_the_rating_reaches_the_charts_and_the_dashboards() {
    let app = TestApp::spawn().await;
    let owner = app.owner.clone();
    browse("lat tools", &app.base, |tab| async move {
        let today = clock::format_date(clock::today());
        tab.log_in("mentor.aarhus@example.org", PASSWORD).await;
        tab.follow_xpath("(//section[@aria-labelledby='member-heading']//li/a)[1]")
            .await;
        let course_url = tab.path().await;
        let course_name = tab.text("h1").await;

        tab.follow("Udfyld: Balanceret risikovurdering").await;
        tab.audit("mentor – risk assessment form").await;
        tab.press("Gem").await;
        assert_eq!(
            tab.field_error("worry_1").await,
            "Udfyld feltet.",
            "a required worry"
        );
        tab.fill(
            "Bekymring 1",
            "Vi er bekymrede for, at han trækker sig fra vennerne.",
        )
        .await;
        tab.fill("Det, der går godt", "Han møder op til aftalerne.")
            .await;
        tab.fill(
            "Mål og næste skridt",
            "Han skal i gang med en fritidsaktivitet.",
        )
        .await;
        pick(&tab, "scale_mentor", 3).await;
        pick(&tab, "scale_citizen", 6).await;
        pick(&tab, "scale_parents", 2).await;
        tab.press("Gem").await;
        tab.assert_message("Balanceret risikovurdering er gemt.")
            .await;
        assert_eq!(tab.path().await, course_url);
        let rows = tab.texts("table tbody tr").await;
        assert!(
            rows.contains(&format!("{today} 3 6 2")),
            "the three scales side by side: {rows:?}"
        );

        tab.follow("Udfyld: Udviklings- og progressionsplan (UPP)")
            .await;
        tab.audit("mentor – development plan form").await;
        tab.fill("Målet med borgerens ord", "Jeg vil have et fritidsjob")
            .await;
        tab.fill("Skridt 1 (frivilligt)", "Skrive en ansøgning")
            .await;
        pick(&tab, "progress", 9).await;
        tab.press("Gem").await;
        tab.assert_message("Udviklings- og progressionsplan (UPP) er gemt.")
            .await;
        let rows = tab.texts("#progression ~ .row table tbody tr").await;
        assert!(
            rows.contains(&format!("{today} 9")),
            "the rating in the table beside the chart: {rows:?}"
        );
        assert!(
            tab.has("svg[aria-labelledby^='progress-chart'] polyline")
                .await
        );

        tab.follow("Før- og eftermåling: Eftermåling").await;
        tab.audit("mentor – measurement form").await;
        for i in 1..=5 {
            pick(&tab, &format!("who5_{i}"), 4).await;
            pick(&tab, &format!("mastery_{i}"), 4).await;
        }
        tab.press("Gem").await;
        tab.assert_message("Før- og eftermåling er gemt.").await;
        let prepost = tab.texts("table tbody tr").await;
        assert!(
            prepost
                .iter()
                .any(|r| r.starts_with("Trivsel (WHO-5) ") && r.contains(" 80")),
            "WHO-5 of 4 × 5 items × 4 = 80: {prepost:?}"
        );
        tab.audit("mentor – course with its progress").await;

        tab.open("/").await;
        let own = tab
            .texts("section[aria-labelledby='member-heading'] li")
            .await;
        assert!(
            own.iter().any(|li| li.contains(&course_name)
                && li.contains(&format!("Seneste progressionsmåling: 9 ({today})"))),
            "the start page shows the new rating: {own:?}"
        );
        tab.audit("mentor – start page with ratings").await;
        tab.log_out().await;

        // The coordinator's overview counts the new rating in this month's trend.
        tab.log_in("koordinator.aarhus@example.org", PASSWORD).await;
        tab.follow_xpath("//nav[contains(@class, 'nav')]//a[normalize-space()='Overblik']")
            .await;
        let mut conn = sqlx::PgConnection::connect_with(&owner)
            .await
            .expect("the test database");
        let (ratings, average): (i64, f64) = sqlx::query_as(
            "SELECT count(*), avg(m.value)::float8 FROM measurements m
                 JOIN municipalities mu ON mu.id = m.municipality_id
                 WHERE mu.name = 'Aarhus' AND m.kind = 'progress'
                   AND date_trunc('month', m.measured_on) = date_trunc('month', current_date)",
        )
        .fetch_one(&mut conn)
        .await
        .expect("this month's ratings");
        let month = today[3..].replace('-', ".");
        let trend = tab.texts("table tbody tr").await;
        assert!(
            trend.contains(&format!("{month} {average:.1} {ratings}")),
            "this month's {ratings} ratings averaging {average:.1}: {trend:?}"
        );
        assert!(tab.has("svg[aria-labelledby^='trend-chart']").await);
        tab.audit("coordinator – overview").await;
        tab.log_out().await;

        // The national centre: small counts hidden, no names.
        tab.log_in("national@example.org", PASSWORD).await;
        tab.follow_xpath(
            "//nav[contains(@class, 'nav')]//a[normalize-space()='Nationalt overblik']",
        )
        .await;
        let cells = tab.texts("#national-areas td").await;
        assert!(cells.iter().any(|c| c == "<5"), "small counts: {cells:?}");
        let source = tab.client.source().await.expect("the page source");
        let citizen = course_name.rsplit(" · ").next().unwrap_or_default();
        assert!(
            !source.contains(citizen),
            "the national page names {citizen}"
        );
        assert!(!source.contains("Ahmad Rahimi"), "nor a member");
        tab.audit("national – dashboard").await;
        tab.follow("Aarhus").await;
        assert!(
            tab.texts("h2")
                .await
                .iter()
                .any(|h| h.ends_with(": Aarhus"))
        );
        tab.audit("national – dashboard for Aarhus").await;
    })
    .await;
}
