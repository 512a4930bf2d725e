//! A citizen's insight clicked through by a coordinator: from the citizen's page to who
//! has seen or changed the data (filtered), to the data extract, and the check of reads
//! with something to show — at 1280 and at 360 px. axe runs on every page visited.

use std::sync::Arc;

use uuid::Uuid;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";

#[tokio::test]
async fn a_coordinator_answers_an_access_request_and_checks_the_reads() {
    let app = Arc::new(TestApp::spawn().await);
    // The demo citizen with the most sessions: an extract with every kind of record.
    let citizen: Uuid = app
        .scalar(
            "SELECT p.citizen_id FROM course_participants p
             JOIN courses c ON c.id = p.course_id JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Aarhus'
             ORDER BY (SELECT count(*) FROM course_sessions s WHERE s.course_id = c.id) DESC LIMIT 1",
        )
        .await;
    // A member who read a citizen outside their courses, and a burst of reads.
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "INSERT INTO audit_log (id, municipality_id, actor_id, action, subject_type, subject_id, citizen_id, client_addr)
         SELECT gen_random_uuid(), m.municipality_id, m.user_id, 'citizen_read', 'citizen', $1, $1, '10.0.0.7'
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'coach.aarhus@example.org'",
    )
    .bind(citizen)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO audit_log (id, municipality_id, actor_id, action, citizen_id)
         SELECT gen_random_uuid(), m.municipality_id, m.user_id, 'citizen_list_read', gen_random_uuid()
         FROM memberships m JOIN users u ON u.id = m.user_id, generate_series(1, 30)
         WHERE u.email = 'mentor.aarhus@example.org'",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    browse("insight", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        for width in [1280, 360] {
            tab.client.set_window_size(width, 900).await.unwrap();
            tab.open(&format!("/borgere/{citizen}")).await;
            tab.follow("Hvem har set eller ændret oplysningerne").await;
            assert_eq!(tab.path().await, format!("/borgere/{citizen}/adgangslog"));
            tab.audit_here(&format!("coordinator – citizen's access log at {width} px"))
                .await;
            tab.choose("Type", "Opslag").await;
            tab.press("Filtrér").await;
            let whats = tab.texts("table.korps-list tbody tr td:nth-child(4)").await;
            assert!(!whats.is_empty(), "the citizen page was read");
            assert!(
                whats
                    .iter()
                    .all(|what| what.contains("vist") || what.contains("hentet")),
                "reads only: {whats:?}"
            );
            tab.fill("Fra dato (frivilligt)", "31-02-2026").await;
            tab.press("Filtrér").await;
            assert!(!tab.field_error("from").await.is_empty());
            tab.audit_here(&format!(
                "coordinator – citizen's access log filtered, a date refused at {width} px"
            ))
            .await;

            tab.open(&format!("/borgere/{citizen}")).await;
            tab.follow("Dataudtræk").await;
            assert_eq!(tab.text("h1").await, "Dataudtræk");
            assert!(tab.has("#forloeb + section h3, section h3").await);
            tab.audit_here(&format!("coordinator – data extract at {width} px"))
                .await;

            tab.open("/").await;
            assert!(
                tab.hrefs("nav a")
                    .await
                    .iter()
                    .any(|href| href.ends_with("/adgangskontrol")),
                "the check is in the menu"
            );
            tab.open("/adgangskontrol").await;
            // The coach's read and the mentor's 30 (none in their courses).
            assert_eq!(tab.texts("#outside tbody tr").await.len(), 31);
            assert_eq!(tab.texts("#unusual tbody tr").await.len(), 1);
            tab.audit_here(&format!("coordinator – check of reads at {width} px"))
                .await;
        }
    })
    .await;
}
