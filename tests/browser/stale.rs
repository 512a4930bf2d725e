//! A save over someone else's, as the coordinator sees it: the form as typed, both versions
//! side by side, readable at 1280 and at 360 px. axe runs on the page.

use uuid::Uuid;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";

#[tokio::test]
async fn a_stale_citizen_save_shows_both_versions_on_a_desktop_and_a_phone() {
    let app = TestApp::spawn().await;
    let citizen: Uuid = app
        .scalar(
            "SELECT c.id FROM citizens c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Aarhus' AND c.kind = 'mentee' ORDER BY c.name LIMIT 1",
        )
        .await;
    let other = app.login(COORDINATOR).await;
    browse("stale citizen", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        let edit = format!("/borgere/{citizen}/rediger");
        for (width, theirs, mine) in [
            (1280, "SSP-konsulent Hansen", "Gerne en rolig mentor"),
            (360, "SSP-konsulent Jensen", "Gerne en mentor med humor"),
        ] {
            tab.client.set_window_size(width, 900).await.unwrap();
            tab.open(&edit).await;
            // Meanwhile another coordinator saves the referral's "referred by".
            let page = other.get(&edit).await;
            let mut fields: Vec<(String, String)> =
                page.form_fields(&format!("form[action='/borgere/{citizen}']"));
            fields.retain(|(name, _)| name != "referred_by" && name != "csrf_token");
            fields.push(("referred_by".into(), theirs.into()));
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            assert_eq!(
                other
                    .post(&format!("/borgere/{citizen}"), &fields)
                    .await
                    .status,
                303
            );

            tab.fill("Andre ønsker (frivilligt)", mine).await;
            tab.press("Gem").await;
            let rows = tab.texts("#conflict table tbody tr").await;
            assert!(
                rows.iter().any(|row| row.contains(theirs)),
                "their change shown: {rows:?}"
            );
            assert!(
                rows.iter().any(|row| row.contains(mine)),
                "my change shown: {rows:?}"
            );
            assert_eq!(
                tab.value_of("Andre ønsker (frivilligt)").await,
                mine,
                "what I typed is kept"
            );
            let wide: i64 = tab
                .client
                .execute("return document.documentElement.scrollWidth;", vec![])
                .await
                .unwrap()
                .as_i64()
                .unwrap();
            assert!(
                wide <= i64::from(width),
                "the page is {wide} px wide at {width} px"
            );
            tab.audit(&format!(
                "coordinator – citizen saved over another's at {width} px"
            ))
            .await;
            // Saved again, knowingly.
            tab.press("Gem").await;
            assert_eq!(tab.path().await, format!("/borgere/{citizen}"));
        }
    })
    .await;
}
