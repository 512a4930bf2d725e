//! The coordinator's retention page: what falls due within 30 days, placing a case on
//! hold (the reason is required), renewing and releasing it. axe runs on every page.

use time::Duration;
use uuid::Uuid;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";

/// Closes every course of one Aarhus mentee so that the case falls due in ten days, and
/// returns the mentee's name.
async fn due_case(app: &TestApp) -> String {
    let mut conn = app.owner_conn().await;
    let (citizen, name): (Uuid, String) = sqlx::query_as(
        "SELECT y.id, y.name FROM citizens y JOIN municipalities m ON m.id = y.municipality_id
         WHERE m.name = 'Aarhus' AND y.kind = 'mentee'
           AND EXISTS (SELECT 1 FROM course_participants p WHERE p.citizen_id = y.id)
           AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.citizen_id = y.id)
           AND NOT EXISTS (SELECT 1 FROM course_participants p JOIN courses c ON c.id = p.course_id
                           WHERE p.citizen_id = y.id AND c.member_id IS NULL)
         ORDER BY y.id LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let due = korps::clock::today() + Duration::days(10);
    let closed = due.replace_year(due.year() - 5).expect("not 29 February");
    sqlx::query(
        "UPDATE courses SET state = 'closed', referred_on = $2 - 400, matched_on = $2 - 390,
                started_on = $2 - 380, ended_on = $2, closed_on = $2
         WHERE id IN (SELECT course_id FROM course_participants WHERE citizen_id = $1)",
    )
    .bind(citizen)
    .bind(closed)
    .execute(&mut conn)
    .await
    .unwrap();
    name
}

#[tokio::test]
async fn a_coordinator_sees_what_falls_due_and_holds_a_case() {
    let app = TestApp::spawn().await;
    let name = due_case(&app).await;
    browse("retention", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        // The entry sits under "Mere" in the menu.
        assert!(
            tab.hrefs("nav a")
                .await
                .iter()
                .any(|h| h.ends_with("/sletning"))
        );
        tab.open("/sletning").await;
        assert_eq!(tab.text("h1").await, "Sletning og anonymisering");
        let due = tab.texts("main table tbody tr").await;
        assert!(
            due.iter()
                .any(|row| row.contains(&name) && row.contains("Anonymiseres")),
            "{name} falls due: {due:?}"
        );
        tab.audit_here("coordinator – retention").await;

        tab.choose("Borger", &name).await;
        tab.press("Sæt i bero").await;
        assert_eq!(
            tab.field_error("reason").await,
            "Skriv, hvorfor sagen skal i bero."
        );
        tab.audit_here("coordinator – retention, reason missing")
            .await;

        tab.fill("Begrundelse", "Verserende retssag").await;
        tab.press("Sæt i bero").await;
        tab.assert_message("Sagen er sat i bero i et år.").await;
        let holds = tab.texts("main table tbody tr").await;
        assert!(
            holds
                .iter()
                .any(|row| row.contains(&name) && row.contains("Verserende retssag")),
            "the hold is listed: {holds:?}"
        );
        tab.audit_here("coordinator – retention, on hold").await;

        tab.follow_xpath(
            "//tr[contains(., 'Verserende retssag')]//button[starts-with(normalize-space(), 'Forny')]",
        )
            .await;
        tab.assert_message("Sagen er i bero et år mere.").await;
        tab.follow_xpath(
            "//tr[contains(., 'Verserende retssag')]//button[starts-with(normalize-space(), 'Ophæv')]",
        )
            .await;
        tab.assert_message("Sagen er ikke længere i bero.").await;
        let holds = tab.texts("main table tbody tr").await;
        assert!(
            !holds.iter().any(|row| row.contains("Verserende retssag")),
            "the hold is gone: {holds:?}"
        );
        tab.audit_here("coordinator – retention, released").await;
    })
    .await;
}
