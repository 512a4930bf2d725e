//! Open statistics clicked through by national staff: the token page (a name refused,
//! a token made and shown once, revoked) and the national page with the regions side by
//! side and the courses per year — at 1280 and 360 px. axe runs on every page visited;
//! screenshots of the pictures are saved in target/browser-screenshots.

use std::sync::Arc;

use crate::browser::{browse, save_screenshot};
use crate::support::{PASSWORD, TestApp};

const NATIONAL: &str = "national@example.org";

#[tokio::test]
async fn national_staff_make_a_token_and_see_the_regions_and_the_years() {
    let app = Arc::new(TestApp::spawn().await);
    browse("open statistics", &app.base, |tab| async move {
        tab.log_in(NATIONAL, PASSWORD).await;
        for width in [1280, 360] {
            tab.client.set_window_size(width, 900).await.unwrap();
            tab.open("/api-adgang").await;
            tab.audit_here(&format!("national – API access at {width} px"))
                .await;
            tab.press("Opret token").await;
            assert_eq!(
                tab.field_error("name").await,
                "Skriv et navn, så du kan kende tokenet igen."
            );
            tab.audit(&format!(
                "national – API access, name refused at {width} px"
            ))
            .await;
            tab.fill("Navn på tokenet", &format!("Årsrapport {width}"))
                .await;
            tab.press("Opret token").await;
            tab.assert_message(
                "Tokenet er oprettet. Kopiér det nu – det vises kun denne ene gang.",
            )
            .await;
            let token = tab.value_of("Dit nye token").await;
            assert_eq!(token.len(), 64, "the token is shown once: {token}");
            tab.audit_here(&format!(
                "national – API access with a new token at {width} px"
            ))
            .await;
            save_screenshot(&tab.client, &format!("statistics token shown at {width}")).await;
            tab.click("#tokens details summary").await;
            tab.press(&format!("Tilbagekald tokenet Årsrapport {width}"))
                .await;
            tab.assert_message("Tokenet er tilbagekaldt.").await;
            assert!(!tab.has("#new_token").await, "shown only once");
            tab.audit_here(&format!(
                "national – API access, a token revoked at {width} px"
            ))
            .await;

            tab.open("/nationalt-overblik").await;
            assert_eq!(tab.texts("#regions-table tbody tr").await.len(), 5);
            assert!(!tab.texts("#years-table tbody tr").await.is_empty());
            tab.audit_here(&format!("national – overview with pictures at {width} px"))
                .await;
            for section in ["regions", "years"] {
                tab.client
                    .execute(
                        &format!("document.getElementById('{section}').scrollIntoView()"),
                        vec![],
                    )
                    .await
                    .unwrap();
                save_screenshot(&tab.client, &format!("statistics {section} at {width}")).await;
            }
        }
    })
    .await;
}
